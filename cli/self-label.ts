// `parley self-label`: self-training data for a parser (McClosky, Charniak & Johnson 2006; Vinyals et
// al. 2014 trained on a parser's output too): parses unlabelled sentences under the tree constraint and
// writes the most confident share as treebank trees, which `parley train --task parse --extra-trees FILE`
// adds to the training split.
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { OrtStepModel, buildOnnxGraphs, initBackend, loadPipeline, parseThreadsEnv, printTree, ptbTokenize, withDecodingDefaults, type ParseOutput, type Pipeline, type StepModel } from '../engine/index.ts';
import { UsageError } from './corpus-data.ts';
import { decodingJson } from './decoding-json.ts';
import { runCommand } from './errors.ts';
import { positiveInt } from './train-options.ts';

const USAGE = `usage: parley self-label --model DIR --sentences FILE --out FILE.ptb [--keep 0.3] [--max-words 50]
  [--max-sentences N] [--options JSON] [--engine tfjs|onnxruntime]
  (FILE: one raw sentence a line, split into treebank words as the server does; each is parsed with the
   model's decoding defaults under --options, and the --keep share with the highest log-probability per
   output token is written, one bracketed tree a line, most confident first; --engine onnxruntime decodes
   on ONNX Runtime graphs of the same weights, as parley eval can: the same trees, several times faster)`;

export interface Labelled {
  words: string[];
  tree: string;
  /** log p(tree | sentence) per output token, EOS included: the parser's confidence, comparable across lengths. */
  confidence: number;
}

/** The `keep` share (0..1] of the parses, most confident first; repaired parses never count as confident. */
export function mostConfident(parses: readonly Labelled[], keep: number, repaired: readonly boolean[] = []): Labelled[] {
  const usable = parses.filter((_, i) => !repaired[i]);
  return [...usable].sort((a, b) => b.confidence - a.confidence).slice(0, Math.ceil(keep * usable.length));
}

/** Decoded this many at a time, as evaluation does: batched decoding equals one by one. */
const CHUNK = 32;

async function parseAll(pipeline: Pipeline, sentences: string[][], options: Record<string, unknown>, stepModel?: StepModel<unknown>): Promise<{ parses: Labelled[]; repaired: boolean[] }> {
  const parses: Labelled[] = [];
  const repaired: boolean[] = [];
  for (let i = 0; i < sentences.length; i += CHUNK) {
    const chunk = sentences.slice(i, i + CHUNK);
    const runs = await pipeline.run(chunk, options, stepModel ? { stepModel } : {});
    runs.forEach((r, k) => {
      const out = r.output as ParseOutput;
      parses.push({ words: chunk[k]!, tree: printTree(out.tree), confidence: r.result.logProb / (r.result.tokens.length + 1) });
      repaired.push(out.repaired);
    });
  }
  return { parses, repaired };
}

function share(value: string | undefined): number {
  if (value === undefined) return 0.3;
  const n = Number(value);
  if (value.trim() === '' || !(n > 0 && n <= 1)) throw new UsageError(`--keep must be a share in (0, 1], got "${value}"`);
  return n;
}

export async function run(args: string[]): Promise<number> {
  return runCommand('self-label', USAGE, async () => {
    const { values: v } = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        model: { type: 'string' },
        sentences: { type: 'string' },
        out: { type: 'string' },
        keep: { type: 'string' },
        'max-words': { type: 'string' },
        'max-sentences': { type: 'string' },
        options: { type: 'string' },
        engine: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    if (v.help) {
      console.log(USAGE);
      return 0;
    }
    for (const flag of ['model', 'sentences', 'out'] as const) if (v[flag] === undefined) throw new UsageError(`--${flag} is required`);
    if (v.engine !== undefined && v.engine !== 'tfjs' && v.engine !== 'onnxruntime') throw new UsageError(`--engine must be tfjs or onnxruntime, got "${v.engine}"`);
    const keep = share(v.keep);
    const maxWords = positiveInt('max-words', v['max-words']) ?? 50;
    const maxSentences = positiveInt('max-sentences', v['max-sentences']);
    let text: string;
    try {
      text = readFileSync(v.sentences!, 'utf8');
    } catch (e) {
      throw new UsageError(`--sentences: cannot read ${v.sentences}: ${(e as Error).message}`);
    }
    // Long sentences are the parser's worst and cost the most to decode; they make poor training trees.
    const sentences = text.split('\n').map(ptbTokenize).filter((w) => w.length > 0 && w.length <= maxWords).slice(0, maxSentences);
    if (sentences.length === 0) throw new UsageError(`--sentences: no sentence of 1 to ${maxWords} words in ${v.sentences}`);
    await initBackend({ quiet: true });
    const pipeline = await loadPipeline(v.model!);
    try {
      if (pipeline.task !== 'parse') throw new UsageError(`--model: ${v.model} is a ${pipeline.task} model, not a parser`);
      const options = withDecodingDefaults(pipeline.decodingDefaults, decodingJson(v.options));
      const stepModel = v.engine === 'onnxruntime'
        ? await OrtStepModel.create(buildOnnxGraphs(pipeline.model), pipeline.config.specials, { encoderThreads: parseThreadsEnv(), decoderThreads: parseThreadsEnv() })
        : undefined;
      let labelled: Awaited<ReturnType<typeof parseAll>>;
      try {
        labelled = await parseAll(pipeline, sentences, options, stepModel);
      } finally {
        await stepModel?.dispose();
      }
      const { parses, repaired } = labelled;
      const kept = mostConfident(parses, keep, repaired);
      writeFileSync(v.out!, kept.map((p) => `${p.tree}\n`).join(''));
      console.log(JSON.stringify({ out: v.out, sentences: sentences.length, kept: kept.length, repaired: repaired.filter(Boolean).length, minConfidence: kept.at(-1)?.confidence ?? null }));
      return 0;
    } finally {
      pipeline.dispose();
    }
  });
}
