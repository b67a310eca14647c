import { describe, expect, it } from 'vitest';
import { parseTrainFlags, runModelConfig, withSchedule } from '../../cli/train-options.ts';
import { selectionScore, withBestScore } from '../../cli/train-resume.ts';

describe('parseTrainFlags', () => {
  it('takes --engine per invocation, outside the saved run, and refuses unknown engines by flag', () => {
    const parsed = parseTrainFlags(['--task', 'copy', '--out', 'x', '--engine', 'onnxruntime']);
    expect(parsed.engine).toBe('onnxruntime');
    expect(parsed.options).not.toHaveProperty('engine');
    expect(parseTrainFlags(['--task', 'copy', '--out', 'x']).engine).toBeUndefined();
    expect(() => parseTrainFlags(['--task', 'copy', '--out', 'x', '--engine', 'torch'])).toThrow(/--engine must be one of onnxruntime, tfjs, got "torch"/);
  });

  it('takes --context-turns for chat', () => {
    expect(parseTrainFlags(['--task', 'chat', '--corpus', 'self-dialogue', '--out', 'x', '--context-turns', '1']).options.contextTurns).toBe(1);
  });

  it('refuses --context-turns for a task that has no turns, instead of ignoring it', () => {
    expect(() => parseTrainFlags(['--task', 'translate', '--corpus', 'tatoeba-fra-eng', '--out', 'x', '--context-turns', '1'])).toThrow(/--context-turns only applies to --task chat/);
  });

  it('takes --context-repeat for chat only, refusing it for tasks without turns and for the backward model', () => {
    const chat = ['--task', 'chat', '--corpus', 'self-dialogue', '--out', 'x'];
    expect(parseTrainFlags([...chat, '--context-repeat', '2']).options.contextRepeat).toBe(2);
    expect(parseTrainFlags(chat).options).not.toHaveProperty('contextRepeat');
    expect(() => parseTrainFlags([...chat, '--context-repeat', '0'])).toThrow(/--context-repeat must be an integer >= 1/);
    expect(() => parseTrainFlags([...chat, '--backward', '--context-repeat', '1'])).toThrow(/--context-repeat only applies to --task chat \(not --backward/);
    expect(() => parseTrainFlags(['--task', 'translate', '--corpus', 'tatoeba-fra-eng', '--out', 'x', '--context-repeat', '1'])).toThrow(/--context-repeat only applies to --task chat/);
  });

  it('turns the attention and bidirectional levers into the model config', () => {
    const flags = ['--task', 'translate', '--corpus', 'tatoeba-fra-eng', '--out', 'x', '--hidden', '64'];
    const preset = runModelConfig(parseTrainFlags(flags).options, 500);
    expect(preset).toMatchObject({ preset: 'rnnsearch', context: 'local', encoder: { bidirectional: true, hidden: 64 } });
    const ablated = runModelConfig(parseTrainFlags([...flags, '--source-context', 'global', '--encoder-directions', '1']).options, 500);
    expect(ablated).toMatchObject({ preset: 'rnnsearch', context: 'global', encoder: { bidirectional: false, hidden: 64 }, decoder: { hidden: 128 } });
  });

  it('refuses lever values it does not know, by flag', () => {
    const flags = ['--task', 'translate', '--corpus', 'tatoeba-fra-eng', '--out', 'x'];
    expect(() => parseTrainFlags([...flags, '--source-context', 'attention'])).toThrow(/--source-context must be one of global, local, hybrid, none, got "attention"/);
    expect(() => parseTrainFlags([...flags, '--encoder-directions', '3'])).toThrow(/--encoder-directions must be one of 1, 2/);
  });

  it('gives the softmax as many readout units as the decoder is wide, maxout pooling pairs of twice that', () => {
    const translate = ['--task', 'translate', '--corpus', 'tatoeba-fra-eng', '--out', 'x'];
    const rnnsearch = runModelConfig(parseTrainFlags([...translate, '--hidden', '128']).options, 4000);
    expect(rnnsearch.decoder.hidden).toBe(256);
    expect(rnnsearch.readout).toEqual({ kind: 'maxout', dim: 512 });
    const lstm = runModelConfig(parseTrainFlags(['--task', 'parse', '--corpus', 'gum', '--out', 'x', '--hidden', '96']).options, 500);
    expect(lstm.readout).toEqual({ kind: 'tanh', dim: 96 });
    expect(runModelConfig(parseTrainFlags(translate).options, 4000).readout).toEqual({ kind: 'maxout', dim: 1024 });
  });

  it('sets the readout width and kind on their own', () => {
    const translate = ['--task', 'translate', '--corpus', 'tatoeba-fra-eng', '--out', 'x', '--hidden', '128'];
    expect(runModelConfig(parseTrainFlags([...translate, '--readout', '300']).options, 4000).readout).toEqual({ kind: 'maxout', dim: 600 });
    expect(runModelConfig(parseTrainFlags([...translate, '--readout', '300', '--readout-kind', 'tanh']).options, 4000).readout).toEqual({ kind: 'tanh', dim: 300 });
    expect(runModelConfig(parseTrainFlags([...translate, '--readout-kind', 'tanh']).options, 4000).readout).toEqual({ kind: 'tanh', dim: 256 });
    expect(() => parseTrainFlags([...translate, '--readout', '0'])).toThrow(/--readout must be an integer >= 1, got "0"/);
    expect(() => parseTrainFlags([...translate, '--readout-kind', 'relu'])).toThrow(/--readout-kind must be one of tanh, maxout, got "relu"/);
  });

  it('takes --select-by for the metric the task decodes for, and leaves perplexity (the default) out of the saved run', () => {
    const parse = ['--task', 'parse', '--corpus', 'gum', '--out', 'x'];
    expect(parseTrainFlags([...parse, '--select-by', 'f1']).options.selectBy).toBe('f1');
    expect(parseTrainFlags([...parse, '--select-by', 'perplexity']).options).not.toHaveProperty('selectBy');
    expect(parseTrainFlags(['--task', 'translate', '--corpus', 'tatoeba-fra-eng', '--out', 'x', '--select-by', 'bleu']).options.selectBy).toBe('bleu');
    expect(parseTrainFlags(['--task', 'copy', '--out', 'x', '--select-by', 'bleu']).options.selectBy).toBe('bleu');
    expect(() => parseTrainFlags(['--task', 'translate', '--corpus', 'tatoeba-fra-eng', '--out', 'x', '--select-by', 'f1'])).toThrow(/--select-by f1 only applies to --task parse, not translate/);
    expect(() => parseTrainFlags([...parse, '--select-by', 'bleu'])).toThrow(/--select-by bleu applies to --task translate/);
    expect(() => parseTrainFlags(['--task', 'chat', '--corpus', 'sgd', '--out', 'x', '--select-by', 'bleu'])).toThrow(/not chat/);
    expect(() => parseTrainFlags([...parse, '--select-by', 'loss'])).toThrow(/--select-by must be one of perplexity, bleu, f1, got "loss"/);
  });

  it('takes --lr-schedule as constant, inverse-sqrt:WARMUP or step-decay:START:EVERY:FACTOR, leaving constant out of the saved run', () => {
    const base = ['--task', 'translate', '--corpus', 'tatoeba-fra-eng', '--out', 'x'];
    expect(parseTrainFlags(base).options).not.toHaveProperty('schedule');
    expect(parseTrainFlags([...base, '--lr-schedule', 'constant']).options).not.toHaveProperty('schedule');
    expect(parseTrainFlags([...base, '--lr-schedule', 'inverse-sqrt:400']).options.schedule).toEqual({ kind: 'inverse-sqrt', warmup: 400 });
    expect(withSchedule('step-decay:3000:1000:0.5')).toEqual({ schedule: { kind: 'step-decay', start: 3000, every: 1000, factor: 0.5 } });
    expect(() => withSchedule('inverse-sqrt')).toThrow(/--lr-schedule must be constant, inverse-sqrt:WARMUP or step-decay:START:EVERY:FACTOR, got "inverse-sqrt"/);
    expect(() => withSchedule('inverse-sqrt:0')).toThrow(/WARMUP must be an integer ≥ 1, got "0"/);
    expect(() => withSchedule('inverse-sqrt:1e3')).toThrow(/WARMUP must be an integer/);
    expect(() => withSchedule('step-decay:0:10:2')).toThrow(/FACTOR must be in \(0, 1\], got "2"/);
    expect(() => withSchedule('cosine:10')).toThrow(/got "cosine:10"/);
  });

  it('scores validations higher-is-better, NaN where the figure is missing, and reads checkpoints that kept bestPerplexity', () => {
    const v = { perplexity: 4, examples: 10, decoded: 5, f1: 0.5 };
    expect(selectionScore('perplexity')(v)).toBe(-4);
    expect(selectionScore('f1')(v)).toBe(0.5);
    expect(selectionScore('bleu')(v)).toBeNaN();
    const old = { epoch: 1, batchIndex: 2, orderSeed: 3, bestPerplexity: 2.5, badValidations: 1, elapsedMs: 9, tokens: 99 };
    expect(withBestScore(old as never)).toEqual({ epoch: 1, batchIndex: 2, orderSeed: 3, bestScore: -2.5, badValidations: 1, elapsedMs: 9, tokens: 99 });
    expect(withBestScore({ ...old, bestPerplexity: null } as never).bestScore).toBeNull();
    const now = { epoch: 1, batchIndex: 2, orderSeed: 3, bestScore: 0.4, badValidations: 0, elapsedMs: 9, tokens: 99 };
    expect(withBestScore(now)).toEqual(now);
  });

  it('takes --pos-tags for parse only, and leaves it out of the saved run when off', () => {
    const parse = ['--task', 'parse', '--corpus', 'gum', '--out', 'x'];
    expect(parseTrainFlags([...parse, '--pos-tags']).options.posTags).toBe(true);
    expect(parseTrainFlags(parse).options).not.toHaveProperty('posTags');
    expect(() => parseTrainFlags(['--task', 'translate', '--corpus', 'tatoeba-fra-eng', '--out', 'x', '--pos-tags'])).toThrow(/--pos-tags only applies to --task parse, not translate/);
  });

  it('takes --vocab joint|separate: separate gives each side its vocabulary and embedding, joint stays out of the saved run', () => {
    const translate = ['--task', 'translate', '--corpus', 'tatoeba-fra-eng', '--out', 'x'];
    expect(parseTrainFlags(translate).options).not.toHaveProperty('vocab');
    expect(parseTrainFlags([...translate, '--vocab', 'joint']).options).not.toHaveProperty('vocab');
    const separate = parseTrainFlags([...translate, '--vocab', 'separate']).options;
    expect(separate.vocab).toBe('separate');
    expect(runModelConfig(separate, { source: 3900, target: 4100 })).toMatchObject({ vocabSize: 4100, sourceVocabSize: 3900, shareEmbeddings: false });
    const joint = runModelConfig(parseTrainFlags(translate).options, 4000);
    expect(joint).toMatchObject({ vocabSize: 4000, shareEmbeddings: true });
    expect(joint).not.toHaveProperty('sourceVocabSize');
    expect(() => parseTrainFlags([...translate, '--vocab', 'split'])).toThrow(/--vocab must be one of joint, separate, got "split"/);
  });

  it('decodes 500 validation pairs for translate and parse by default, 200 for chat, and takes --valid-limit', () => {
    const limit = (args: string[]) => parseTrainFlags([...args, '--out', 'x']).options.validLimit;
    expect(limit(['--task', 'translate', '--corpus', 'tatoeba-fra-eng'])).toBe(500);
    expect(limit(['--task', 'parse', '--corpus', 'gum'])).toBe(500);
    expect(limit(['--task', 'chat', '--corpus', 'self-dialogue'])).toBe(200);
    expect(limit(['--task', 'translate', '--corpus', 'tatoeba-fra-eng', '--valid-limit', '1000'])).toBe(1000);
  });
});
