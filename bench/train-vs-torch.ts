// Issue 12's comparison, made robust to the machine's drift: bench/train.ts (onnxruntime engine) and
// bench/torch/train.py on the same config and thread count, alternated for several rounds in ABBA order,
// each run its own child process (its own peak RSS). One run each, back to back, is not enough here:
// on a quiet two-core machine single runs of the same program varied by 20% (small, 2 threads: Parley
// 6,997–8,519 tok/s, PyTorch 6,991–8,030 across sessions), more than the gap being measured.
// `npm run bench:train-vs-torch -- --config small|big --rounds 4` (PARLEY_THREADS, default 2, for both;
// --child-timeout-min M, default 20, kills a run that hangs).
import { spawnSync } from 'node:child_process';

interface RunFigures {
  targetTokensPerSecond: number;
  peakRssMiB: number;
}

/** A child that runs past this is killed and the comparison fails, instead of hanging the bench. */
const DEFAULT_CHILD_MINUTES = 20;

function parseArgs(argv: string[]): { config: 'small' | 'big'; rounds: number; childMinutes: number } {
  let config: 'small' | 'big' = 'small';
  let rounds = 4;
  let childMinutes = DEFAULT_CHILD_MINUTES;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = argv[++i];
    if (arg === '--config' && (value === 'small' || value === 'big')) config = value;
    // Even, so that each side runs first in as many rounds as the other (ABBA).
    else if (arg === '--rounds' && Number.isInteger(Number(value)) && Number(value) >= 2 && Number(value) % 2 === 0) rounds = Number(value);
    else if (arg === '--child-timeout-min' && Number.isFinite(Number(value)) && Number(value) > 0) childMinutes = Number(value);
    else throw new Error(`usage: bench/train-vs-torch.ts [--config small|big] [--rounds N, even ≥ 2] [--child-timeout-min M], got ${arg} ${String(value)}`);
  }
  return { config, rounds, childMinutes };
}

/** The last JSON line a benchmark printed, or the reason it printed none. */
function lastJson(command: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs: number): RunFigures {
  const r = spawnSync(command, args, { encoding: 'utf8', env, maxBuffer: 64 << 20, timeout: timeoutMs, killSignal: 'SIGKILL' });
  if (r.error && (r.error as NodeJS.ErrnoException).code === 'ETIMEDOUT') throw new Error(`${command} ${args.join(' ')} ran past ${timeoutMs / 60000} min and was killed (--child-timeout-min)`);
  const line = r.stdout?.trim().split('\n').filter((l) => l.startsWith('{')).pop();
  if (r.status !== 0 || !line) throw new Error(`${command} ${args.join(' ')} failed (${r.status}): ${(r.stderr || r.error?.message || '').trim().split('\n').pop()}`);
  const parsed = JSON.parse(line) as Partial<RunFigures>;
  if (typeof parsed.targetTokensPerSecond !== 'number' || typeof parsed.peakRssMiB !== 'number') throw new Error(`${command}: no tokens/s or peak RSS in ${line.slice(0, 200)}`);
  return { targetTokensPerSecond: parsed.targetTokensPerSecond, peakRssMiB: parsed.peakRssMiB };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

function main(): void {
  const { config, rounds, childMinutes } = parseArgs(process.argv.slice(2));
  const timeoutMs = Math.ceil(childMinutes * 60_000);
  const threads = process.env.PARLEY_THREADS ?? '2';
  const env = { ...process.env, PARLEY_THREADS: threads };
  const runs = {
    parley: () => // tsx's own loader in this node process, not node_modules/.bin/tsx: that wrapper runs the benchmark
    // in a grandchild which a timeout's SIGKILL would leave running on the cores.
    lastJson(process.execPath, ['--import', 'tsx', 'bench/train.ts', '--config', config, '--engine', 'onnxruntime'], env, timeoutMs),
    pytorch: () => lastJson('/usr/bin/python3', ['bench/torch/train.py', '--config', config, '--threads', threads], env, timeoutMs),
  };
  const seen: Record<keyof typeof runs, RunFigures[]> = { parley: [], pytorch: [] };
  for (let round = 0; round < rounds; round++) {
    // ABBA: neither side always runs first, after the other has warmed (or heated) the machine.
    const order: (keyof typeof runs)[] = round % 2 === 0 ? ['parley', 'pytorch'] : ['pytorch', 'parley'];
    for (const who of order) {
      const figures = runs[who]();
      seen[who].push(figures);
      process.stdout.write(`${JSON.stringify({ round: round + 1, who, config, threads: Number(threads), ...figures })}\n`);
    }
  }
  const summary = (who: keyof typeof runs) => ({
    medianTokensPerSecond: Math.round(median(seen[who].map((f) => f.targetTokensPerSecond))),
    minTokensPerSecond: Math.min(...seen[who].map((f) => f.targetTokensPerSecond)),
    maxTokensPerSecond: Math.max(...seen[who].map((f) => f.targetTokensPerSecond)),
    peakRssMiB: Math.max(...seen[who].map((f) => f.peakRssMiB)),
  });
  const parley = summary('parley');
  const pytorch = summary('pytorch');
  process.stdout.write(`${JSON.stringify({ config, threads: Number(threads), rounds, parley, pytorch, speedup: +(parley.medianTokensPerSecond / pytorch.medianTokensPerSecond).toFixed(3) })}\n`);
}

main();
