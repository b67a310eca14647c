// `parley index`: embeds each training prompt of a chat model's corpora with the model's own encoder
// (engine/retrieval: the top layer's final state) and stores an hnswlib cosine index of them, with the
// replies they were answered by and where each came from, in the model directory's retrieval/.
import { parseArgs } from 'node:util';
import { IssueLog } from '../corpora/index.ts';
import { embedSources, initBackend, loadPipeline, ReplyIndex, RETRIEVAL_DIR, spread } from '../engine/index.ts';
import { checkCorpora, loadTaskPairs, UsageError } from './corpus-data.ts';
import { runCommand } from './errors.ts';
import { positiveInt } from './train-options.ts';

const USAGE = `usage: parley index --model DIR --corpus NAME|FILE... [--corpora DIR] [--max-examples N]
  (a chat model: its training split's prompts, embedded by its encoder, into DIR/${RETRIEVAL_DIR}/;
   --max-examples N: at most N prompts per corpus, spread evenly over its training split)`;

export async function run(args: string[]): Promise<number> {
  return runCommand('index', USAGE, async () => {
    const { values: v } = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        model: { type: 'string' },
        corpus: { type: 'string', multiple: true },
        corpora: { type: 'string' },
        'max-examples': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    if (v.help) {
      console.log(USAGE);
      return 0;
    }
    if (v.model === undefined) throw new UsageError('--model DIR is required');
    const corpora = v.corpus ?? [];
    if (corpora.length === 0) throw new UsageError('--corpus NAME is required (the corpora the model was trained on)');
    checkCorpora('chat', corpora);
    const maxExamples = positiveInt('max-examples', v['max-examples']);
    await initBackend({ quiet: true });
    const pipeline = await loadPipeline(v.model);
    try {
      if (pipeline.task !== 'chat') throw new UsageError(`--model: ${v.model} is a ${pipeline.task} model; parley index indexes chat prompts`);
      const log = new IssueLog();
      const sources: number[][] = [];
      const replies: { text: string; source: string }[] = [];
      for (const corpus of corpora) {
        const pairs = await loadTaskPairs({
          task: 'chat', corpora: [corpus], split: 'train', contextTurns: pipeline.codec.contextTurns, log,
          seed: typeof pipeline.meta.dataSeed === 'number' ? pipeline.meta.dataSeed : 1,
          ...(v.corpora === undefined ? {} : { dir: v.corpora }),
        });
        // Spread rather than the first N: a corpus' files run by topic or service, and a pool of its
        // first dialogues alone would answer everything from those.
        const positions = spread(pairs.map((_, i) => i), maxExamples ?? pairs.length);
        positions.forEach((i) => {
          const p = pairs[i]!;
          const source = pipeline.encodeInput(p.input);
          if (source.length === 0 || p.target.trim() === '') return;
          sources.push(source);
          replies.push({ text: p.target, source: `${corpus}:${i}` });
        });
      }
      if (sources.length === 0) throw new UsageError(`no training pairs in ${corpora.join(', ')}`);
      const started = performance.now();
      ReplyIndex.build(embedSources(pipeline.model, sources), replies).save(v.model);
      console.error(`parley index: ${replies.length} prompts indexed in ${((performance.now() - started) / 1000).toFixed(1)} s into ${v.model}/${RETRIEVAL_DIR}/${log.count ? `; ${log.summary()}` : ''}`);
      return 0;
    } finally {
      pipeline.dispose();
    }
  });
}
