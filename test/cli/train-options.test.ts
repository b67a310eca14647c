import { describe, expect, it } from 'vitest';
import { parseTrainFlags, runModelConfig } from '../../cli/train-options.ts';

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
});
