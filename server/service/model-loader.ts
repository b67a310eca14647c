// Finds model directories (each holds a config.json) under the models directory, loads them through
// the injected engine factory, and swaps in reloaded models without dropping requests in flight.
// An optional defaults.json beside the model directories names each task's default model, so adding
// a model (translate-de-en sorts before translate-fr-en) never changes what a request without a model
// id gets, nor the OpenNMT endpoint's model 0.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, watch, type FSWatcher } from 'node:fs';
import { join, sep } from 'node:path';
import { ServiceError } from './errors.ts';
import type { EngineFactory, EngineHooks, LoadedModel, ModelDirSpec } from './model-backend.ts';

const cardNames = ['card.md', 'MODEL_CARD.md', 'README.md', 'model-card.md'];
const logNames = ['training-log.jsonl', 'train-log.jsonl', 'training.jsonl', 'train.jsonl', 'log.jsonl'];

interface Entry {
  model: LoadedModel;
  bytes: number;
  inFlight: number;
  retired: boolean;
}

export interface ModelLoaderOptions {
  modelsDir: string;
  factory: EngineFactory;
  hooks: EngineHooks;
  onError?: (id: string, error: unknown) => void;
  onLoaded?: (model: LoadedModel) => void;
}

export interface ModelSummary {
  id: string;
  task: LoadedModel['task'];
  preset: string;
  version: string;
  bytes: number;
  parameters: number | null;
  runtime: string | null;
}

/** Files derived from the weights (the ONNX export, written on first load) or only used to resume training. */
const notServed = (dir: string, file: string) =>
  file.endsWith('.onnx') || file.endsWith(`${sep}onnx.json`) || file.startsWith(join(dir, 'training') + sep);

function listFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile() && !notServed(dir, join(d.parentPath, d.name)))
    .map((d) => join(d.parentPath, d.name))
    .sort();
}

/** Reads what the server itself needs from a model directory; the engine reads the rest. */
export function readModelDir(modelsDir: string, id: string): ModelDirSpec {
  const dir = join(modelsDir, id);
  const config: unknown = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
  const hash = createHash('sha256');
  let bytes = 0;
  for (const file of listFiles(dir)) {
    const st = statSync(file);
    bytes += st.size;
    hash.update(`${file.slice(dir.length)}\0${st.size}\0${st.mtimeMs}\n`);
  }
  const cardFile = cardNames.map((n) => join(dir, n)).find((p) => existsSync(p));
  const logFile = logNames.map((n) => join(dir, n)).find((p) => existsSync(p));
  return {
    id,
    dir,
    config,
    card: cardFile ? readFileSync(cardFile, 'utf8') : '',
    trainingLogPath: logFile ?? null,
    version: hash.digest('hex').slice(0, 12),
    bytes,
  };
}

/** The models directory's defaults.json: task → model id. */
export const DEFAULTS_FILE = 'defaults.json';
const TASKS: readonly LoadedModel['task'][] = ['chat', 'translate', 'parse'];
type Defaults = Partial<Record<LoadedModel['task'], string>>;

/** Reads defaults.json ({} when absent); a malformed file throws a message that says what is wrong. */
export function readDefaults(modelsDir: string): Defaults {
  const file = join(modelsDir, DEFAULTS_FILE);
  if (!existsSync(file)) return {};
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`${DEFAULTS_FILE}: not JSON (${(error as Error).message})`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`${DEFAULTS_FILE}: must be an object of task → model id`);
  const out: Defaults = {};
  for (const [task, id] of Object.entries(value)) {
    if (!(TASKS as readonly string[]).includes(task)) throw new Error(`${DEFAULTS_FILE}: "${task}" is not a task (${TASKS.join(', ')})`);
    if (typeof id !== 'string' || id === '') throw new Error(`${DEFAULTS_FILE}: the ${task} default must be a model id`);
    out[task as LoadedModel['task']] = id;
  }
  return out;
}

export function listModelDirs(modelsDir: string): string[] {
  if (!existsSync(modelsDir)) return [];
  return readdirSync(modelsDir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(modelsDir, d.name, 'config.json')))
    .map((d) => d.name)
    .sort();
}

export class ModelLoader {
  private readonly entries = new Map<string, Entry>();
  private readonly versions = new Map<string, string>();
  private watcher: FSWatcher | null = null;
  private reloadTimer: NodeJS.Timeout | null = null;
  private reloading: Promise<string[]> = Promise.resolve([]);
  /** Disposals under way (decoder workers closing), so close() can wait for them. */
  private readonly disposing = new Set<Promise<void>>();
  private defaults: Defaults = {};

  constructor(private readonly options: ModelLoaderOptions) {}

  /** Loads every model directory; a directory that fails to load is reported and skipped. */
  async loadAll(): Promise<void> {
    await this.reload();
  }

  /**
   * Reloads models whose files changed (or `ids`, whether changed or not), loads new directories and
   * drops removed ones. Requests already running keep the model object they started with.
   * Returns the ids (re)loaded.
   */
  reload(ids?: string[], force = false): Promise<string[]> {
    this.reloading = this.reloading.then(() => this.reloadNow(ids, force));
    return this.reloading;
  }

  private async reloadNow(ids: string[] | undefined, force: boolean): Promise<string[]> {
    const present = listModelDirs(this.options.modelsDir);
    try {
      this.defaults = readDefaults(this.options.modelsDir);
    } catch (error) {
      // Keep the defaults last read: a typo while editing the file must not move live clients to another model.
      this.options.onError?.(DEFAULTS_FILE, error);
    }
    const wanted = ids ?? present;
    const loaded: string[] = [];
    for (const id of wanted) {
      if (!present.includes(id)) continue;
      try {
        const spec = readModelDir(this.options.modelsDir, id);
        if (!force && this.versions.get(id) === spec.version && this.entries.has(id)) continue;
        const model = await this.options.factory(spec, this.options.hooks);
        this.versions.set(id, spec.version);
        this.swap(id, { model, bytes: spec.bytes, inFlight: 0, retired: false });
        this.options.onLoaded?.(model);
        loaded.push(id);
      } catch (error) {
        this.options.onError?.(id, error);
      }
    }
    if (!ids) {
      for (const id of [...this.entries.keys()]) if (!present.includes(id)) this.swap(id, null);
    }
    for (const [task, id] of Object.entries(this.defaults)) {
      if (this.entries.get(id)?.model.task !== task) this.options.onError?.(DEFAULTS_FILE, new Error(`the ${task} default "${id}" is not a loaded ${task} model; the first ${task} model by id answers instead`));
    }
    return loaded;
  }

  private swap(id: string, next: Entry | null): void {
    const old = this.entries.get(id);
    if (next) this.entries.set(id, next);
    else {
      this.entries.delete(id);
      this.versions.delete(id);
    }
    if (old) {
      old.retired = true;
      if (old.inFlight === 0) this.dispose(old.model);
    }
  }

  private dispose(model: LoadedModel): void {
    const done = (async () => {
      try {
        await model.dispose?.();
      } catch (error) {
        this.options.onError?.(model.id, error);
      }
    })();
    this.disposing.add(done);
    void done.finally(() => this.disposing.delete(done));
  }

  /** Watches the models directory and reloads what changed, debounced. */
  watch(debounceMs = 500): void {
    if (this.watcher || !existsSync(this.options.modelsDir)) return;
    this.watcher = watch(this.options.modelsDir, { recursive: true }, () => {
      if (this.reloadTimer) clearTimeout(this.reloadTimer);
      this.reloadTimer = setTimeout(() => void this.reload(), debounceMs);
    });
  }

  has(id: string): boolean {
    return this.entries.has(id);
  }

  get(id: string): LoadedModel | undefined {
    return this.entries.get(id)?.model;
  }

  /** Each task's default first (defaults.json, else the first by id), then by id. */
  list(): ModelSummary[] {
    const isDefault = (m: LoadedModel) => this.defaults[m.task] === m.id;
    return [...this.entries.values()]
      .sort((a, b) => Number(isDefault(b.model)) - Number(isDefault(a.model)) || a.model.id.localeCompare(b.model.id))
      .map(({ model, bytes }) => ({
        id: model.id,
        task: model.task,
        preset: model.preset,
        version: model.version,
        bytes,
        parameters: model.parameters ?? null,
        runtime: model.runtime ?? null,
      }));
  }

  /** The model a request of this task gets when it names none: the first of list() for the task. */
  defaultFor(task: LoadedModel['task']): LoadedModel | undefined {
    return this.list().map((s) => this.get(s.id)!).find((m) => m.task === task);
  }

  /** Runs `fn` with the current model for `id`, keeping it alive through a reload until `fn` ends. */
  async use<T>(id: string, fn: (model: LoadedModel) => Promise<T>): Promise<T> {
    const entry = this.entries.get(id);
    if (!entry) throw new ServiceError('not_found', `model "${id}" is not loaded`);
    entry.inFlight++;
    try {
      return await fn(entry.model);
    } finally {
      entry.inFlight--;
      if (entry.retired && entry.inFlight === 0) this.dispose(entry.model);
    }
  }

  async close(): Promise<void> {
    this.watcher?.close();
    this.watcher = null;
    if (this.reloadTimer) clearTimeout(this.reloadTimer);
    await this.reloading;
    for (const id of [...this.entries.keys()]) this.swap(id, null);
    await Promise.all([...this.disposing]);
  }
}
