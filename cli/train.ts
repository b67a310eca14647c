// `parley train`: trains a model for a task on named corpora (or a synthetic task) into a model
// directory the server loads: config.json, weights, tokenizer.model (or source.model and target.model),
// train-log.jsonl, MODEL_CARD.md.
import path from 'node:path';
import { evaluatePipeline, exportOnnx, heldOutSample, initBackend, loadPipeline, parseThreadsEnv, writeFileAtomic } from '../engine/index.ts';
import { checkCorpora } from './corpus-data.ts';
import { runCommand } from './errors.ts';
import { modelCard } from './model-card.ts';
import { Progress } from './progress.ts';
import { resolveRun } from './train-resume.ts';
import { heldOutPairs, trainRun } from './train-run.ts';
import { parseTrainFlags } from './train-options.ts';

export const TRAIN_USAGE = `usage: parley train --task chat|translate|parse|copy|reverse|sort --out DIR [--corpus NAME|FILE...]
  [--model PRESET] [--corpora DIR] [--direction fr-en] [--vocab-size N] [--vocab joint|separate] [--steps N | --epochs N | --time-budget 30m]
  [--batch-tokens N] [--resume] [--seed N] [--lr X] [--lr-schedule S] [--dropout X] [--hidden N] [--embedding N]
  [--layers N] [--cell gru|lstm] [--readout N] [--readout-kind tanh|maxout] [--source-context global|local|hybrid|none] [--encoder-directions 1|2] [--valid-every N] [--checkpoint-every N] [--patience N]
  [--select-by perplexity|bleu|f1] [--max-length N] [--max-examples N] [--context-turns N] [--context-repeat N] [--backward] [--pos-tags] [--extra-trees FILE...] [--init-from DIR] [--log-every N] [--valid-limit N] [--engine onnxruntime|tfjs]
  --readout N          units the softmax reads (after maxout pooling); default: the decoder's width
  --readout-kind K     tanh, or maxout (a layer of 2N pooled in pairs); default: the preset's
  --vocab joint        one vocabulary for both sides, tied embeddings (the default)
  --vocab separate     a tokenizer (source.model, target.model) and an embedding per side, --vocab-size each
  --pos-tags           parse: the tree's preterminals are the treebank's POS tags instead of XX
                       (tagging accuracy is reported beside bracket F1); best with --vocab separate,
                       as a joint tokenizer spells source text holding a tag (",", ".") in bytes
  --context-repeat N   chat: pairs whose reply reuses a word of the earlier turns that the message lacks
                       (an agent confirming the party size given two turns before) are trained on N more
                       times, so the model learns to read the context (an epoch counts the copies)
  --extra-trees FILE   parse: bracketed trees added to the training split (parley self-label's output)
  --init-from DIR      start from a trained model's weights (fine-tuning): the run takes its architecture
                       and tokenizer(s), so the flags that set those are refused; the optimizer starts afresh
  --lr-schedule S      constant (the default), inverse-sqrt:WARMUP (linear warm-up to --lr, then
                       ∝ 1/√step) or step-decay:START:EVERY:FACTOR (× FACTOR every EVERY updates after START)
  --select-by M        what keeps a validation as the best model and resets --patience: perplexity
                       (the default), bleu (translate, synthetic tasks) or f1 (parse), of the decodes
  --valid-limit N      validation pairs decoded, 5N scored for perplexity, spread over the split
                       (BLEU for translate, bracket F1 for parse); default 500 translate/parse, 200 otherwise`;

export async function run(args: string[]): Promise<number> {
  return runCommand('train', TRAIN_USAGE, async () => {
    const { options, resume, help, engine } = parseTrainFlags(args);
    if (help) {
      console.log(TRAIN_USAGE);
      return 0;
    }
    checkCorpora(options.task, options.corpora);
    const backend = await initBackend({ quiet: true });
    const say = (m: string) => console.error(m);
    say(`parley train: backend ${backend.name}${backend.nativeMatMul ? ' (native matmul)' : ''}, tfjs ${backend.version}`);
    const resolved = resolveRun(options, resume).options;
    const progress = new Progress({ ...(resolved.steps ? { totalSteps: resolved.steps } : {}), ...(resolved.timeBudgetMs ? { budgetMs: resolved.timeBudgetMs } : {}) });
    const summary = await trainRun(options, { resume, progress, backend: backend.name, ...(engine ? { engine } : {}) });
    say(`stopped (${summary.stopped}) after ${summary.steps} steps, ${(summary.elapsedMs / 1000).toFixed(1)} s, ${Math.round(summary.tokensPerSecond)} target tokens/s`);
    // The options the run trained with (an --init-from run takes the model's direction, for one).
    const used = summary.options;

    const pipeline = await loadPipeline(used.out);
    let test = null;
    try {
      const pairs = await heldOutPairs(used, 'test', summary.dataIssues);
      if (pairs.length > 0) {
        const { samples: _s, ...metrics } = await evaluatePipeline(pipeline, heldOutSample(pairs, used.validLimit), { decodeLimit: used.validLimit });
        test = { split: 'test', metrics };
        say(`test: ${JSON.stringify(metrics)}`);
      }
    } finally {
      pipeline.dispose();
    }
    const command = ['parley', 'train', ...args].map((a) => (/^[\w./:=@-]+$/.test(a) ? a : JSON.stringify(a))).join(' ');
    writeFileAtomic(path.join(used.out, 'MODEL_CARD.md'), modelCard({
      task: used.task,
      config: pipeline.config,
      corpora: used.corpora,
      command,
      steps: summary.steps,
      trainingMs: summary.elapsedMs,
      backend: summary.engine === 'onnxruntime' ? 'onnxruntime' : backend.name,
      ...(summary.engine === 'onnxruntime' ? { threads: parseThreadsEnv() } : {}),
      tokensPerSecond: summary.tokensPerSecond,
      bestValid: summary.best,
      test,
      dataIssues: summary.dataIssues.summary(),
    }));
    await exportOnnx(used.out);
    say(`exported ONNX encoder/decoder into ${used.out}`);
    console.log(JSON.stringify({ out: used.out, steps: summary.steps, stopped: summary.stopped, best: summary.best, test: test?.metrics ?? null }));
    return 0;
  });
}
