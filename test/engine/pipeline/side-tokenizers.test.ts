// Per-side vocabularies: a model directory with source.model and target.model (config.json names both)
// encodes inputs with the source side's pieces and references and outputs with the target side's.
import path from 'node:path';
import { writeFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../engine/backend.ts';
import { saveModel } from '../../../engine/checkpoint/model-dir.ts';
import { modelConfig } from '../../../engine/config.ts';
import { Seq2Seq } from '../../../engine/models/seq2seq.ts';
import { buildTokenizer, type TextPair } from '../../../engine/pipeline/build-tokenizer.ts';
import { loadPipeline } from '../../../engine/pipeline/pipeline.ts';
import { SIDE_TOKENIZER_FILES, engineTask, type PipelineTask } from '../../../engine/pipeline/task.ts';
import { encodeModelProto, type ModelProto } from '../../../engine/tokenizer/model-proto.ts';
import { tempDir } from '../../helpers/tmp.ts';

beforeAll(async () => {
  await initBackend({ backend: 'wasm', quiet: true });
});

const translatePairs: TextPair[] = [
  { input: 'le chat dort sur le tapis', target: 'the cat sleeps on the mat' },
  { input: 'je mange une pomme verte', target: 'i eat a green apple' },
];
const parsePairs: TextPair[] = [
  { input: 'the dog barks', target: '(S (NP XX XX )NP (VP XX )VP )S' },
  { input: 'cats sleep', target: '(S (NP XX )NP (VP XX )VP )S' },
];

async function sideModelDir(task: PipelineTask, pairs: TextPair[], sizes?: { source: number }): Promise<{ dir: string; source: ModelProto; target: ModelProto }> {
  const dir = path.join(tempDir(`parley-sides-${task}`), 'model');
  const source = buildTokenizer(pairs, { task, vocabSize: 280, side: 'source' });
  const target = buildTokenizer(pairs, { task, vocabSize: 270, side: 'target' });
  const model = new Seq2Seq(modelConfig('nrm-local', {
    vocabSize: target.pieces.length, sourceVocabSize: sizes?.source ?? source.pieces.length, shareEmbeddings: false,
    embedding: 8, dropout: 0, encoder: { hidden: 8 }, decoder: { hidden: 8 }, attention: { dim: 8 }, readout: { dim: 8 },
  }));
  await saveModel(dir, model, { task: engineTask(task), pipelineTask: task, tokenizer: SIDE_TOKENIZER_FILES.target, sourceTokenizer: SIDE_TOKENIZER_FILES.source });
  writeFileSync(path.join(dir, SIDE_TOKENIZER_FILES.source), encodeModelProto(source));
  writeFileSync(path.join(dir, SIDE_TOKENIZER_FILES.target), encodeModelProto(target));
  model.dispose();
  return { dir, source, target };
}

describe('per-side tokenizers', () => {
  it('translate: inputs in source pieces, references and outputs in target pieces', async () => {
    const { dir, source, target } = await sideModelDir('translate', translatePairs);
    expect(source.pieces.length).not.toBe(target.pieces.length);
    const p = await loadPipeline(dir);
    expect(p.sourceTokenizer).not.toBe(p.tokenizer);
    const ids = p.encodeInput('le chat dort');
    expect(ids).toEqual(p.sourceTokenizer.encode('le chat dort'));
    expect(ids).not.toEqual(p.tokenizer.encode('le chat dort'));
    expect(p.sourceTokenizer.decode(ids)).toBe('le chat dort');
    expect(p.codec.encodeTarget('the cat sleeps')).toEqual(p.tokenizer.encode('the cat sleeps'));
    const [run] = await p.run(['le chat dort'], { strategy: 'greedy', maxLength: 6 });
    expect(run!.output).toBe(p.tokenizer.decode(run!.result.tokens));
    expect(run!.result.tokens.every((id) => id < target.pieces.length)).toBe(true);
    p.dispose();
  });

  it('parse: the target side holds the bracket pieces, and the tree constraint names its ids', async () => {
    const { dir, source } = await sideModelDir('parse', parsePairs);
    expect(source.pieces.map((x) => x.piece)).not.toContain('(NP');
    const p = await loadPipeline(dir);
    const constraint = p.codec.treeConstraint('the dog barks')!;
    expect(constraint.open.map((id) => p.tokenizer.idToPiece(id)).sort()).toEqual(['(NP', '(S', '(VP']);
    expect(constraint.preterminals.map((id) => p.tokenizer.idToPiece(id))).toEqual(['XX']);
    const [tree] = await p.parse(['the dog barks'], { strategy: 'greedy' });
    expect(tree!.tokens.every((t) => t === 'XX' || /^[()]/.test(t))).toBe(true);
    p.dispose();
  });

  it('refuses a source tokenizer that does not fit the model, naming its file', async () => {
    const { dir } = await sideModelDir('translate', translatePairs, { source: 400 });
    await expect(loadPipeline(dir)).rejects.toThrow(/source\.model: \d+ pieces, but the model has a source vocabulary of 400/);
  });
});
