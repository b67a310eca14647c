// Loads SentencePiece processors from sentencepiece-js 1.1.0 (Google's C++ library compiled to wasm by
// emscripten; untyped, CommonJS). One processor per distinct model (by content hash), loads one at a
// time, and the process-wide `uncaughtException`/`unhandledRejection` handlers that emscripten installs
// for every instance are taken off again, so loading a tokenizer never changes how the host crashes.
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The surface of sentencepiece-js's SentencePieceProcessor that Parley uses. */
export interface RawProcessor {
  load(path: string): Promise<void>;
  encodeIds(text: string): number[];
  encodePieces(text: string): string[];
  decodeIds(ids: number[]): string;
}

const require = createRequire(import.meta.url);
const { SentencePieceProcessor } = require('sentencepiece-js') as { SentencePieceProcessor: new () => RawProcessor };

const GUARDED_EVENTS = ['uncaughtException', 'unhandledRejection'] as const;
// Seen as a plain EventEmitter: Process's typed overloads do not accept a union of event names.
const host: NodeJS.EventEmitter = process;
// The two handlers emscripten's Node runtime registers (`throw ex` unless ExitStatus; `throw reason`).
const EMSCRIPTEN_HANDLER = /ExitStatus|^function\s*\(reason\)\s*\{\s*throw reason\s*\}$/;

const processors = new Map<string, Promise<RawProcessor>>();
let loading: Promise<unknown> = Promise.resolve();

// Every usable model encodes this to a non-empty sequence: sentencepiece-js reports a model it could not
// load only by encoding everything to [].
const PROBE = 'Parley probe 0123 ?!';

/**
 * The processor for these model bytes (`pieceCount` pieces), loading and probing it on first use; later
 * calls share it. Rejects when SentencePiece cannot use the model; a refused model is not kept.
 */
export function processorFor(modelBytes: Uint8Array, pieceCount: number): Promise<RawProcessor> {
  const hash = createHash('sha256').update(modelBytes).digest('hex');
  let processor = processors.get(hash);
  if (!processor) {
    // Serialised so that each load's window for spotting emscripten's handlers holds one load only.
    processor = loading.then(() => loadGuarded(modelBytes)).then((loaded) => probe(loaded, pieceCount));
    loading = processor.catch(() => undefined);
    processors.set(hash, processor);
    processor.catch(() => processors.delete(hash));
  }
  return processor;
}

/** How many distinct processors are loaded or loading (one per model content). */
export function processorCount(): number {
  return processors.size;
}

function probe(processor: RawProcessor, pieceCount: number): RawProcessor {
  const ids = processor.encodeIds(PROBE);
  if (ids.length === 0 || ids.some((id) => !Number.isInteger(id) || id < 0 || id >= pieceCount)) {
    throw new Error(`SentencePiece could not load this model (a probe string encoded to [${ids.join(', ')}])`);
  }
  return processor;
}

async function loadGuarded(modelBytes: Uint8Array): Promise<RawProcessor> {
  const before = new Map(GUARDED_EVENTS.map((event) => [event, new Set(host.listeners(event))]));
  // sentencepiece-js reads the model from a path (fs.readFileSync) into emscripten's in-memory FS.
  const dir = await mkdtemp(join(tmpdir(), 'parley-spm-'));
  try {
    const path = join(dir, 'tokenizer.model');
    await writeFile(path, modelBytes);
    const processor = new SentencePieceProcessor();
    await processor.load(path);
    return processor;
  } finally {
    for (const event of GUARDED_EVENTS) {
      for (const listener of host.listeners(event)) {
        if (!before.get(event)!.has(listener) && EMSCRIPTEN_HANDLER.test(String(listener))) {
          host.removeListener(event, listener as (...args: unknown[]) => void);
        }
      }
    }
    await rm(dir, { recursive: true, force: true });
  }
}
