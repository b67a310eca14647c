// A server in a child process for the benchmarks (test models unless `models` names real ones): the
// benchmark measures it from outside, as a client would, and can tell whether the process survived.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeTestModels } from '../testkit/test-model.ts';

export interface ChildServer {
  url: string;
  /** The exit code or signal once the process has ended, null while it runs. */
  exited(): string | null;
  stop(): void;
}

export interface ChildServerOptions {
  /** The script that parses the flags and starts the server (default: test models). */
  entry?: string;
  models?: string;
  args?: string[];
  env?: NodeJS.ProcessEnv;
}

export async function startChildServer(o: ChildServerOptions = {}): Promise<ChildServer> {
  const dir = mkdtempSync(join(tmpdir(), 'parley-bench-'));
  const models = o.models ?? join(dir, 'models');
  if (!o.models) writeTestModels(models);
  const args = ['--import', 'tsx', o.entry ?? 'testkit/serve-test-model.ts', '--port', '0', '--host', '127.0.0.1', '--models', models,
    '--db', join(dir, 'db.sqlite'), '--no-watch', '--log-level', 'warn', ...(o.args ?? [])];
  const child: ChildProcess = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...o.env } });
  let ended: string | null = null;
  child.once('exit', (code, signal) => (ended = signal ?? String(code)));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const m = /Parley chat: (\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
  return {
    url,
    exited: () => ended,
    stop: () => {
      child.kill('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
