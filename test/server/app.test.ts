import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { startServer } from '../../server/app.ts';
import { testFactory, writeTestModels } from '../../testkit/test-model.ts';

describe('startServer', () => {
  it('fails on a port in use and disposes the models it had loaded', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'parley-app-'));
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    try {
      writeTestModels(join(dir, 'models'));
      const factory = testFactory();
      const port = (blocker.address() as { port: number }).port;
      const start = startServer({ port, host: '127.0.0.1', modelsDir: join(dir, 'models'), dbFile: join(dir, 'db.sqlite'), factory, logger: pino({ level: 'silent' }) });
      await expect(start).rejects.toThrow(/EADDRINUSE/);
      const models = [...factory.created.values()].flat();
      expect(models.length).toBeGreaterThan(0);
      expect(models.every((m) => m.disposed)).toBe(true);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('launch', () => {
  it('listens on $PORT without --port, and --port wins over it', async () => {
    const { launch } = await import('../../server/launch.ts');
    const dir = mkdtempSync(join(tmpdir(), 'parley-launch-'));
    // Two taken ports: the error line says which one the server tried.
    const blockers = [createServer(), createServer()];
    await Promise.all(blockers.map((b) => new Promise<void>((resolve) => b.listen(0, '127.0.0.1', resolve))));
    const [original, saved, exitCode] = [console.error, process.env.PORT, process.exitCode];
    const errors: string[] = [];
    console.error = (line: string) => void errors.push(String(line));
    try {
      const [fromEnv, fromFlag] = blockers.map((b) => (b.address() as { port: number }).port);
      process.env.PORT = String(fromEnv);
      const args = ['--host', '127.0.0.1', '--models', join(dir, 'models'), '--db', join(dir, 'db.sqlite'), '--log-level', 'silent', '--no-watch'];
      expect(await launch(args, testFactory())).toBeNull();
      expect(errors.at(-1)).toContain(`EADDRINUSE: address already in use 127.0.0.1:${fromEnv}`);
      expect(await launch(['--port', String(fromFlag), ...args], testFactory())).toBeNull();
      expect(errors.at(-1)).toContain(`EADDRINUSE: address already in use 127.0.0.1:${fromFlag}`);
      process.env.PORT = 'eighty';
      expect(await launch(args, testFactory())).toBeNull();
      expect(errors.at(-1)).toMatch(/PORT must be a port number, got "eighty"/);
      expect(process.exitCode).toBe(2);
    } finally {
      console.error = original;
      if (saved === undefined) delete process.env.PORT;
      else process.env.PORT = saved;
      process.exitCode = exitCode;
      await Promise.all(blockers.map((b) => new Promise((resolve) => b.close(resolve))));
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reports a port in use as one error line and exit status 1', async () => {
    const { launch } = await import('../../server/launch.ts');
    const dir = mkdtempSync(join(tmpdir(), 'parley-launch-'));
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const errors: string[] = [];
    const original = console.error;
    console.error = (line: string) => void errors.push(String(line));
    const exitCode = process.exitCode;
    try {
      const port = (blocker.address() as { port: number }).port;
      const args = ['--port', String(port), '--host', '127.0.0.1', '--models', join(dir, 'models'), '--db', join(dir, 'db.sqlite'), '--log-level', 'silent', '--no-watch'];
      expect(await launch(args, testFactory())).toBeNull();
      expect(process.exitCode).toBe(1);
      expect(errors.join('\n')).toMatch(/EADDRINUSE/);
    } finally {
      console.error = original;
      process.exitCode = exitCode;
      await new Promise((resolve) => blocker.close(resolve));
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
