// `parley decode`: reads inputs from stdin, one per line, and writes one output per line: text for
// chat / translate / synthetic models (a chat line may hold earlier turns separated by " ||| "), the
// bracketed tree for parse models.
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { initBackend, printTree } from '../engine/index.ts';
import { loadPipeline, type ParseOutput } from '../engine/pipeline/index.ts';
import { UsageError } from './corpus-data.ts';
import { runCommand } from './errors.ts';
import { positiveInt } from './train-options.ts';

const USAGE = `usage: parley decode --model DIR [--beam N] [--sample] [--temperature X] [--top-p X] [--seed N]
  [--max-length N] [--n-best N] [--batch N]
  stdin: one input per line (chat: earlier turns first, separated by " ||| "); stdout: one output per line`;

const TURN_SEPARATOR = ' ||| ';

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
        batch: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    if (v.help) {
      console.log(USAGE);
      return 0;
    }
    if (v.model === undefined) throw new UsageError('--model DIR is required');
    const beam = positiveInt('beam', v.beam) ?? 5;
    const options: Record<string, unknown> = v.sample
      ? { strategy: 'sample', ...(v.temperature ? { temperature: Number(v.temperature) } : {}), ...(v['top-p'] ? { topP: Number(v['top-p']) } : {}) }
      : beam === 1 ? { strategy: 'greedy' } : { strategy: 'beam', beamSize: beam };
    if (v.seed !== undefined) options.seed = positiveInt('seed', v.seed, 0);
    options.maxLength = positiveInt('max-length', v['max-length']) ?? 100;
    const batchSize = positiveInt('batch', v.batch) ?? 16;
    await initBackend({ quiet: true });
    const pipeline = await loadPipeline(v.model);
    try {
      let pending: string[] = [];
      const flush = async () => {
        const inputs = pending.map((line) => (pipeline.task === 'chat' ? line.split(TURN_SEPARATOR) : line));
        for (const r of await pipeline.run(inputs, options)) {
          process.stdout.write(`${typeof r.output === 'string' ? r.output : printTree((r.output as ParseOutput).tree)}\n`);
        }
        pending = [];
      };
      for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
        if (line.trim() === '') continue;
        pending.push(line);
        if (pending.length >= batchSize) await flush();
      }
      await flush();
      return 0;
    } finally {
      pipeline.dispose();
    }
  });
}
