// Tests and benchmarks only: a small deterministic model behind the server's LoadedModel contract. It
// answers with the words of the last input in reverse order (at most maxLength), one word per tick
// (streamed), honours the abort signal, and counts what happened so tests can check cancellation and batching.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  InvalidInputError,
  type DecodePlan,
  type DecodingOptionsInput,
  type EngineFactory,
  type GenerateRequest,
  type GenerateResult,
  type LoadedModel,
  type ModelDirSpec,
  type ModelTask,
} from '../server/service/model-backend.ts';

export interface TestModelStats {
  started: number;
  completed: number;
  aborted: number;
  active: number;
  maxActive: number;
  lastInputs: string[];
  lastOptions: DecodingOptionsInput | null;
}

export class TestModel implements LoadedModel {
  readonly task: ModelTask;
  readonly preset: string;
  readonly stats: TestModelStats = { started: 0, completed: 0, aborted: 0, active: 0, maxActive: 0, lastInputs: [], lastOptions: null };
  disposed = false;

  constructor(
    private readonly spec: ModelDirSpec,
    private readonly tickMs: number,
    private readonly onStep: (rows: number) => void,
  ) {
    const config = spec.config as { task?: ModelTask; preset?: string };
    this.task = config.task ?? 'chat';
    this.preset = config.preset ?? 'test-reverser';
  }

  get id(): string {
    return this.spec.id;
  }
  get version(): string {
    return this.spec.version;
  }
  get card(): string {
    return this.spec.card;
  }
  get trainingLogPath(): string | null {
    return this.spec.trainingLogPath;
  }
  readonly parameters = 42;
  readonly runtime = 'test';

  async generate(request: GenerateRequest): Promise<GenerateResult> {
    const { options, signal } = request;
    if (options.beamSize !== undefined && options.nBest !== undefined && options.nBest > options.beamSize) {
      throw new InvalidInputError(`nBest: ${options.nBest} exceeds beamSize ${options.beamSize}`);
    }
    const started = performance.now();
    const src = (request.inputs.at(-1) ?? '').split(/\s+/).filter(Boolean);
    const out = [...src].reverse().slice(0, options.maxLength ?? Infinity);
    const s = this.stats;
    s.started++;
    s.lastInputs = request.inputs;
    s.lastOptions = options;
    s.active++;
    s.maxActive = Math.max(s.maxActive, s.active);
    try {
      for (let t = 1; t <= out.length; t++) {
        await this.tick(signal);
        this.onStep(s.active);
        request.onPartial?.(out.slice(0, t).join(' '));
      }
    } catch (error) {
      s.aborted++;
      throw error;
    } finally {
      s.active--;
    }
    s.completed++;
    const text = this.task === 'parse' ? `(S ${src.map((w) => `(W ${w})`).join(' ')})` : out.join(' ');
    const score = -0.5 * out.length;
    const n = options.nBest ?? 1;
    const nBest = Array.from({ length: n }, (_, rank) => ({
      // A parse alternative is still a tree over the input words: another root label.
      text: rank === 0 ? text : this.task === 'parse' ? text.replace('(S ', `(S${rank} `) : `${text} ${'!'.repeat(rank)}`,
      score: score - rank,
    }));
    return {
      text,
      tokens: out.length,
      score,
      nBest,
      // Target token t looks mostly at its mirror source position.
      ...(options.returnAttention && {
        attention: out.map((_, t) => src.map((__, j) => (j === src.length - 1 - t ? 0.7 : 0.3 / Math.max(1, src.length - 1)))),
        srcTokens: src,
        tgtTokens: out,
      }),
      ...(this.task === 'parse' && { repaired: false }),
      timingMs: performance.now() - started,
    };
  }

  /** One source token per word of the last input; the engine's defaults (beam 5, maxLength 100) otherwise. */
  plan(request: Pick<GenerateRequest, 'inputs' | 'options'>): DecodePlan {
    const o = request.options;
    const rows = o.strategy === 'greedy' ? 1 : o.strategy === 'sample' ? (o.nBest ?? 1) : (o.beamSize ?? 5);
    return { sourceTokens: (request.inputs.at(-1) ?? '').split(/\s+/).filter(Boolean).length, rows, maxSteps: o.maxLength ?? 100 };
  }

  private tick(signal: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal.aborted) return reject(new Error('aborted'));
      const timer = setTimeout(() => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      }, this.tickMs);
      const onAbort = (): void => {
        clearTimeout(timer);
        reject(new Error('aborted'));
      };
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  dispose(): void {
    this.disposed = true;
  }
}

/** An engine factory making TestModels; `created` holds every model it made, newest last per id. */
export function testFactory(tickMs = 2): EngineFactory & { created: Map<string, TestModel[]> } {
  const created = new Map<string, TestModel[]>();
  const factory = async (spec: ModelDirSpec, hooks: { observeBatchSize(id: string, rows: number): void }) => {
    const model = new TestModel(spec, tickMs, (rows) => hooks.observeBatchSize(spec.id, rows));
    created.set(spec.id, [...(created.get(spec.id) ?? []), model]);
    return model;
  };
  return Object.assign(factory, { created });
}

/** Writes a models directory with one test model per task, a card and a training log. */
export function writeTestModels(dir: string): void {
  const models: [string, ModelTask][] = [
    ['chat-small', 'chat'],
    ['en-fr', 'translate'],
    ['parser', 'parse'],
  ];
  for (const [id, task] of models) {
    mkdirSync(join(dir, id), { recursive: true });
    writeFileSync(join(dir, id, 'config.json'), JSON.stringify({ task, preset: 'test-reverser' }));
    writeFileSync(join(dir, id, 'card.md'), `# ${id}\n\nA test model that reverses words (${task}).\n`);
    const log = [];
    for (let step = 100; step <= 1000; step += 100) {
      log.push(JSON.stringify({ step, loss: 5 / Math.sqrt(step / 100), tokensPerSecond: 900 + step / 10 }));
      if (step % 500 === 0) log.push(JSON.stringify({ step, valid: { perplexity: 60 - step / 25, bleu: step / 100 } }));
    }
    writeFileSync(join(dir, id, 'training-log.jsonl'), `${log.join('\n')}\n`);
  }
}
