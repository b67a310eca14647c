// `parley decode`: reads inputs from stdin, one per line, and writes one output per line: text for
// chat / translate / synthetic models (a chat line may hold earlier turns separated by " ||| "), the
// bracketed tree for parse models. A blank input line gives a blank output line, so lines stay aligned.
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { initBackend, lineInput, loadPipeline, renderOutput, withDecodingDefaults } from '../engine/index.ts';
import { UsageError } from './corpus-data.ts';
import { decodingJson } from './decoding-json.ts';
import { runCommand } from './errors.ts';
import { positiveInt } from './train-options.ts';

const USAGE = `usage: parley decode --model DIR [--beam N] [--sample] [--temperature X] [--top-p X] [--seed N]
  [--max-length N] [--batch N] [--options JSON]
  (--temperature, --top-p and --seed need --sample; --beam does not go with it; what is not given
   comes from the model's config.json "decoding", else beam 5 and at most 100 tokens)
  stdin: one input per line (chat: earlier turns first, separated by " ||| "; parse: raw text, split into
  treebank-style words); stdout: one output per line`;

export async function run(args: string[]): Promise<number> {
  return runCommand('decode', USAGE, async () => {
    const { values: v } = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        model: { type: 'string' },
        beam: { type: 'string' },
        sample: { type: 'boolean' },
        temperature: { type: 'string' },
        'top-p': { type: 'string' },
        seed: { type: 'string' },
        'max-length': { type: 'string' },
        options: { type: 'string' },
        batch: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    if (v.help) {
      console.log(USAGE);
      return 0;
    }
    if (v.model === undefined) throw new UsageError('--model DIR is required');
    const json = decodingJson(v.options);
    // A strategy given as JSON replaces the strategy flags (and their defaults) as a whole.
    const flags = 'strategy' in json ? {} : decodingFlags(v);
    const maxLength = positiveInt('max-length', v['max-length']);
    const given = { ...flags, ...json, ...(maxLength === undefined ? {} : { maxLength }) };
    const batchSize = positiveInt('batch', v.batch) ?? 16;
    await initBackend({ quiet: true });
    const pipeline = await loadPipeline(v.model);
    try {
      // What is not given comes from the model's decoding defaults, then the engine's (beam 5).
      const options = withDecodingDefaults(pipeline.decodingDefaults, given);
      /** Lines read but not yet written; null for a blank line. */
      let pending: (string | null)[] = [];
      let decodable = 0;
      const flush = async () => {
        const lines = pending.filter((line): line is string => line !== null);
        const inputs = lines.map((line) => lineInput(pipeline.task, line));
        const runs = await pipeline.run(inputs, options);
        let next = 0;
        for (const line of pending) {
          const r = line === null ? null : runs[next++]!;
          const text = r === null ? '' : renderOutput(r.output).text;
          process.stdout.write(`${text}\n`);
        }
        pending = [];
        decodable = 0;
      };
      for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
        const blank = line.trim() === '';
        pending.push(blank ? null : line);
        if (!blank && ++decodable >= batchSize) await flush();
      }
      await flush();
      return 0;
    } finally {
      pipeline.dispose();
    }
  });
}

/** The strategy flags as decoding options; flags the chosen strategy would ignore are refused. */
function decodingFlags(v: { beam?: string; sample?: boolean; temperature?: string; 'top-p'?: string; seed?: string }): Record<string, unknown> {
  if (v.sample) {
    if (v.beam !== undefined) throw new UsageError('--beam and --sample exclude each other');
    return {
      strategy: 'sample',
      ...(v.temperature === undefined ? {} : { temperature: Number(v.temperature) }),
      ...(v['top-p'] === undefined ? {} : { topP: Number(v['top-p']) }),
      ...(v.seed === undefined ? {} : { seed: positiveInt('seed', v.seed, 0) }),
    };
  }
  for (const flag of ['temperature', 'top-p', 'seed'] as const) {
    if (v[flag] !== undefined) throw new UsageError(`--${flag} only applies with --sample`);
  }
  const beam = positiveInt('beam', v.beam);
  if (beam === undefined) return {};
  return beam === 1 ? { strategy: 'greedy' } : { strategy: 'beam', beamSize: beam };
}
