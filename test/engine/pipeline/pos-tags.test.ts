// A tagging parser (config.json posTags): its linearised trees carry POS tags where Vinyals et al. write
// XX; the tree constraint places one tag per word, and the output tree carries the predicted tags.
import path from 'node:path';
import { readFileSync, writeFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../engine/backend.ts';
import { saveModel } from '../../../engine/checkpoint/model-dir.ts';
import { modelConfig } from '../../../engine/config.ts';
import { Seq2Seq } from '../../../engine/models/seq2seq.ts';
import { buildTokenizer, type TextPair } from '../../../engine/pipeline/build-tokenizer.ts';
import { scoreDecoding } from '../../../engine/pipeline/evaluate.ts';
import { loadPipeline } from '../../../engine/pipeline/pipeline.ts';
import { leaves, parseTree } from '../../../engine/parsing/tree.ts';
import { encodeModelProto } from '../../../engine/tokenizer/model-proto.ts';
import { tempDir } from '../../helpers/tmp.ts';

beforeAll(async () => {
  await initBackend({ backend: 'wasm', quiet: true });
});

const TAGS = ['.', 'DT', 'NN', 'NNS', 'VBP', 'VBZ'];
const gold = ['(ROOT (S (NP (DT the) (NN dog)) (VP (VBZ barks)) (. .)))', '(ROOT (S (NP (NNS cats)) (VP (VBP sleep))))'].map(parseTree);
const pairs: TextPair[] = [
  { input: 'the dog barks .', target: '(S (NP DT NN )NP (VP VBZ )VP . )S', gold: gold[0]! },
  { input: 'cats sleep', target: '(S (NP NNS )NP (VP VBP )VP )S', gold: gold[1]! },
];

/** An untrained parse model directory as parley train --pos-tags writes one; `meta` adds config.json fields. */
async function taggerDir(meta: Record<string, unknown> = { posTags: TAGS }, trainPairs = pairs): Promise<string> {
  const dir = path.join(tempDir('parley-pos-tags'), 'model');
  const proto = buildTokenizer(trainPairs, { task: 'parse', vocabSize: 300 });
  const model = new Seq2Seq(modelConfig('nrm-local', {
    vocabSize: proto.pieces.length, embedding: 8, dropout: 0, encoder: { hidden: 8 }, decoder: { hidden: 8 }, attention: { dim: 8 }, readout: { dim: 8 },
  }));
  await saveModel(dir, model, { task: 'parse', pipelineTask: 'parse', tokenizer: 'tokenizer.model', ...meta });
  writeFileSync(path.join(dir, 'tokenizer.model'), encodeModelProto(proto));
  model.dispose();
  return dir;
}

describe('a tagging parser', () => {
  it('places one POS tag per word under the tree constraint, and the tree carries the tags it wrote', async () => {
    const p = await loadPipeline(await taggerDir());
    const constraint = p.codec.treeConstraint('the dog barks .')!;
    expect(constraint.preterminals.map((id) => p.tokenizer.idToPiece(id)).sort()).toEqual(TAGS);
    const inputs = ['the dog barks .', 'cats sleep', 'the cats sleep and the dog barks .'];
    for (const options of [{ strategy: 'greedy' }, { strategy: 'beam', beamSize: 3 }]) {
      const trees = await p.parse(inputs, options);
      trees.forEach((t, i) => {
        expect(t.repaired, t.tokens.join(' ')).toBe(false);
        expect(leaves(t.tree).map((l) => l.word)).toEqual(inputs[i]!.split(' '));
        expect(leaves(t.tree).map((l) => l.tag)).toEqual(t.tokens.filter((x) => TAGS.includes(x)));
      });
    }
    p.dispose();
  });

  it('reports tagging accuracy beside bracket F1; a parser that writes XX does not', async () => {
    const tagger = await loadPipeline(await taggerDir());
    const m = await scoreDecoding(tagger, pairs, { decoding: { strategy: 'greedy', maxLength: 40 } });
    expect(m.tagAccuracy).toBeGreaterThanOrEqual(0);
    expect(m.tagAccuracy).toBeLessThanOrEqual(1);
    expect(m).toMatchObject({ repairRate: 0, words5to18: { sentences: 0, f1: null } });
    tagger.dispose();
    const xxPairs = pairs.map((p) => ({ ...p, target: p.target.replace(/ (?!\(|\))\S+/g, ' XX') }));
    const xx = await loadPipeline(await taggerDir({}, xxPairs));
    expect(xx.codec.posTags).toBeNull();
    const mx = await scoreDecoding(xx, xxPairs, { decoding: { strategy: 'greedy', maxLength: 40 } });
    expect(mx).not.toHaveProperty('tagAccuracy');
    expect(typeof mx.exactMatch).toBe('number');
    xx.dispose();
  });

  it('refuses posTags the tokenizer has no piece for, or that are malformed, naming the file', async () => {
    await expect(loadPipeline(await taggerDir({ posTags: [...TAGS, 'JJ'] }))).rejects.toThrow(/no piece for the POS tag\(s\) JJ/);
    for (const bad of [[], ['NN', 'NN'], ['N N'], ['(NP'], 'NN']) {
      const dir = await taggerDir({ posTags: bad });
      await expect(loadPipeline(dir)).rejects.toThrow(`${path.join(dir, 'config.json')}: posTags must be`);
    }
    const dir = await taggerDir();
    const file = path.join(dir, 'config.json');
    writeFileSync(file, JSON.stringify({ ...JSON.parse(readFileSync(file, 'utf8')), task: 'translate', pipelineTask: 'translate' }));
    await expect(loadPipeline(dir)).rejects.toThrow(/posTags are for parse models, not translate/);
  });
});
