import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadHeldoutTranslation } from '../../corpora/heldout-translation.ts';
import { repoRoot } from '../../corpora/paths.ts';
import { saveModel } from '../../engine/checkpoint/model-dir.ts';
import { modelConfig } from '../../engine/config.ts';
import { initBackend } from '../../engine/backend.ts';
import { corpusBleuFromLines } from '../../engine/metrics/bleu.ts';
import { corpusChrf } from '../../engine/metrics/chrf.ts';
import { Seq2Seq } from '../../engine/models/seq2seq.ts';
import { buildTokenizer, type TextPair } from '../../engine/pipeline/build-tokenizer.ts';
import { encodeModelProto } from '../../engine/tokenizer/model-proto.ts';
import { heldoutTranslateSection } from '../../cli/eval-card-translate.ts';
import { modelDirection, type HeldoutTranslateResult } from '../../cli/eval-heldout-translate.ts';
import { tempDir } from '../helpers/tmp.ts';

const bin = path.join(repoRoot, 'bin/parley.js');
const parley = (args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', cwd: repoRoot });
const tmp = tempDir('parley-eval-heldout-mt');
/**
 * Each test spawns parley several times (a tfjs start and a decode of up to 150 sentences each): seconds
 * each on an idle machine, minutes when other work holds both cores (five spawns took 12 minutes so).
 */
const SPAWNS = { timeout: 900_000 };

/** An untrained tiny model as parley train writes one; `meta` is what its config.json says beyond the weights. */
async function tinyModel(name: string, meta: Record<string, unknown>): Promise<string> {
  const dir = path.join(tmp, name);
  const texts: TextPair[] = [{ input: 'Where is the station? I need six eggs.', target: 'Wo ist der Bahnhof? Ich brauche sechs Eier, bitte.' }];
  const proto = buildTokenizer(texts, { task: 'translate', vocabSize: 320 });
  const model = new Seq2Seq(modelConfig('nrm-hybrid', {
    vocabSize: proto.pieces.length, embedding: 8, dropout: 0, encoder: { hidden: 8 }, decoder: { hidden: 8 }, attention: { dim: 8 }, readout: { dim: 8 },
  }));
  await saveModel(dir, model, { task: 'translate', pipelineTask: 'translate', tokenizer: 'tokenizer.model', ...meta });
  writeFileSync(path.join(dir, 'tokenizer.model'), encodeModelProto(proto));
  model.dispose();
  return dir;
}

let enDe: string;
beforeAll(async () => {
  await initBackend({ backend: 'wasm', quiet: true });
  enDe = await tinyModel('en-de', { direction: 'en-de', decoding: { strategy: 'beam', beamSize: 2, maxLength: 8 } });
});

describe('parley eval --heldout translate', () => {
  it("translates the model's source side of the test half as served and scores BLEU and chrF against its target side, and writes the card section", SPAWNS, async () => {
    const markdown = path.join(tmp, 'card.md');
    const r = parley(['eval', '--model', enDe, '--heldout', 'translate', '--markdown', markdown]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout);
    const test = await loadHeldoutTranslation({ split: 'test' });
    expect(out).toMatchObject({ model: enDe, heldout: 'translate', split: 'test', direction: 'en-de', sentences: 75, decoding: { strategy: 'beam', beamSize: 2, maxLength: 8 } });
    expect(out.outputs.map((o: { id: string }) => o.id)).toEqual(test.map((s) => s.id));
    const outputs: string[] = out.outputs.map((o: { output: string }) => o.output);
    const german = test.map((s) => s.de);
    const bleu = corpusBleuFromLines(outputs, german);
    expect(out.bleu).toBe(bleu.bleu);
    expect(out.bleuDetail).toEqual({ precisions: bleu.precisions, brevityPenalty: bleu.brevityPenalty, hypothesisLength: bleu.hypothesisLength, referenceLength: bleu.referenceLength });
    expect(out.chrf).toBe(corpusChrf(outputs, german).chrf);
    expect(out.chrf).not.toBe(corpusChrf(outputs, test.map((s) => s.fr)).chrf);
    expect(out.emptyOutputs).toBe(outputs.filter((o) => o.trim() === '').length);
    expect(out.perplexity).toBeGreaterThan(10);
    expect(out.timing.msPerSentence).toBeCloseTo(out.timing.totalMs / 75, 9);
    const card = readFileSync(markdown, 'utf8');
    expect(card).toMatch(/^## Held-out translation set \(corpora\/heldout\/translation, test half, en-de\)/);
    expect(card).toContain(`parley eval --model ${enDe} --heldout translate\n`);
    expect(card).not.toContain('--markdown');
    expect(card).toContain(`| chrF2 ×100 (sacreBLEU's default: character 1–6-grams, whitespace removed, β = 2) | ${(100 * out.chrf).toFixed(2)} |`);
    expect(card).toContain(`| empty outputs | ${out.emptyOutputs} |`);
    expect(card).toContain('| id | half | topic | en source | de reference | output |');
    for (const s of test) expect(card).toContain(`| ${s.id} | test | ${s.topic} | ${s.en} | ${s.de} |`);
  });

  it('takes --split dev|all and sweeps --options over the decoding defaults, one line each', SPAWNS, async () => {
    const r = parley(['eval', '--model', enDe, '--heldout', 'translate', '--split', 'all', '--options', '{"strategy":"greedy"}', '--options', '{"maxLength":3}']);
    expect(r.status).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => [l.split, l.sentences, l.decoding])).toEqual([
      ['all', 150, { strategy: 'greedy', maxLength: 8 }],
      ['all', 150, { strategy: 'beam', beamSize: 2, maxLength: 3 }],
    ]);
    expect(lines[0].perplexity).toBe(lines[1].perplexity);
    const dev = JSON.parse(parley(['eval', '--model', enDe, '--heldout', 'translate', '--split', 'dev', '--options', '{"strategy":"greedy"}']).stdout);
    expect(dev.outputs.map((o: { id: string }) => o.id)).toEqual((await loadHeldoutTranslation({ split: 'dev' })).map((s) => s.id));
  });

  it('refuses chat flags and bad options before decoding', SPAWNS, () => {
    const usage: [string[], RegExp][] = [
      [['--retrieved', '3'], /--retrieved and --backward are for --heldout chat/],
      [['--options', '{"retrieved":3}'], /"retrieved" is a chat reply's pool/],
      [['--options', '{"strategy":"greedy"}', '--options', '{"beamSize":"wide"}'], /--options \{"beamSize":"wide"\}: .*beamSize/],
      [['--split', 'train'], /must be test, dev or all/],
      [['--direction', 'de-en'], /drop --direction/],
    ];
    for (const [args, message] of usage) {
      const r = parley(['eval', '--model', enDe, '--heldout', 'translate', ...args]);
      expect([r.status, r.stdout], args.join(' ')).toEqual([2, '']);
      expect(r.stderr).toMatch(message);
    }
  });

  it('refuses models of other tasks and languages the set lacks or does not name', SPAWNS, async () => {
    const chat = await tinyModel('chat', { task: 'chat', pipelineTask: 'chat', contextTurns: 2 });
    const refused: [string, RegExp][] = [
      [chat, /needs a translate model; this one does the chat task/],
      [await tinyModel('zh-en', { direction: 'zh-en' }), /translates zh-en, but the held-out set has only en, fr, de/],
      [await tinyModel('unknown', { corpora: ['/data/pairs.tsv'] }), /names no "direction", and its corpora \(\/data\/pairs\.tsv\) do not say which languages/],
    ];
    for (const [model, message] of refused) {
      const r = parley(['eval', '--model', model, '--heldout', 'translate']);
      expect([r.status, r.stdout], model).toEqual([1, '']);
      expect(r.stderr).toMatch(message);
    }
  });
});

describe('parley eval-models on a held-out translation record', () => {
  it('replays it, leaves its wall-clock timing alone, and names an output or a score that moved', SPAWNS, () => {
    const args = ['eval', '--model', enDe, '--heldout', 'translate', '--split', 'dev', '--options', '{"strategy":"greedy"}'];
    const metrics = JSON.parse(parley(args).stdout);
    const root = path.join(tmp, 'records');
    mkdirSync(path.join(root, 'en-de'), { recursive: true });
    // Two records of the same run in one eval-models call: as recorded (another wall-clock), and edited.
    const outputs = metrics.outputs.map((o: { id: string; output: string }, i: number) => (i === 3 ? { ...o, output: `${o.output} (edited)` } : o));
    const records = [{ ...metrics, timing: { totalMs: 1, msPerSentence: 0.01 } }, { ...metrics, outputs, chrf: metrics.chrf + 0.01 }];
    writeFileSync(path.join(root, 'en-de', 'eval.json'), JSON.stringify(records.map((m) => ({ args, metrics: m }))));
    const r = parley(['eval-models', root]);
    expect(r.status).toBe(1);
    const [kept, moved] = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(kept.ok).toBe(true);
    expect(moved.ok).toBe(false);
    const differences: string[] = moved.differences;
    expect(differences).toHaveLength(2);
    expect(differences[0]).toBe(`chrf: card ${metrics.chrf + 0.01}, now ${metrics.chrf}`);
    expect(differences[1]).toMatch(/^outputs: card \[.*\(edited\).*, now \[/);
  });
});

describe('the languages a translate model is scored in', () => {
  const of = (meta: Record<string, unknown>) => modelDirection({ dir: 'models/x', meta: { task: 'translate', pipelineTask: 'translate', tokenizer: 't.model', ...meta } });

  it("come from config.json's direction, else from its Tatoeba corpus's default (xx to English)", () => {
    expect(of({ direction: 'en-fr', corpora: ['tatoeba-fra-eng'] })).toEqual({ source: 'en', target: 'fr' });
    expect(of({ corpora: ['tatoeba-fra-eng'] })).toEqual({ source: 'fr', target: 'en' });
    expect(of({ corpora: ['tatoeba-deu-eng'] })).toEqual({ source: 'de', target: 'en' });
    expect(of({ direction: 'de-fr', corpora: ['/data/own.tsv'] })).toEqual({ source: 'de', target: 'fr' });
  });

  it('are refused when they cannot be told or the set lacks them', () => {
    expect(() => of({ corpora: ['tatoeba-fra-eng', 'tatoeba-deu-eng'] })).toThrow(/models\/x\/config\.json names no "direction"/);
    expect(() => of({})).toThrow(/its corpora \(none\) do not say/);
    expect(() => of({ direction: 'fr-fr' })).toThrow(/direction must look like fr-en, got "fr-fr"/);
    expect(() => of({ direction: 'french' })).toThrow(/direction must look like fr-en/);
    expect(() => of({ corpora: ['kdconv'] })).toThrow(/do not say which languages/);
  });
});

describe('the held-out translation card section', () => {
  it('lists every output in a table cell: pipes escaped, lines joined, an empty output shown as such', async () => {
    const [first, second] = await loadHeldoutTranslation({ split: 'test' });
    const result: HeldoutTranslateResult = {
      heldout: 'translate', split: 'test', direction: 'fr-en', decoding: {}, sentences: 2, perplexity: 12.5,
      bleu: 0.1234, bleuDetail: { precisions: [0.5, 0.25, 0.125, 0.0625], brevityPenalty: 0.9, hypothesisLength: 9, referenceLength: 10 },
      chrf: 0.4567, emptyOutputs: 1, timing: { totalMs: 40, msPerSentence: 20 },
      outputs: [{ id: first!.id, output: 'We | they\nmissed it' }, { id: second!.id, output: '  ' }],
    };
    const card = await heldoutTranslateSection(result, 'parley eval --model m --heldout translate');
    expect(card).toContain(`| ${first!.id} | test | ${first!.topic} | ${first!.fr} | ${first!.en} | We \\| they missed it |`);
    expect(card).toContain(`| ${second!.id} | test | ${second!.topic} | ${second!.fr} | ${second!.en} | *(empty)* |`);
    expect(card).toContain('| BLEU ×100 (Parley\'s corpus BLEU: NLTK\'s, over space-separated tokens, 2 sentences) | 12.34 |');
    expect(card).toContain('| n-gram precisions 1–4 ×100 / brevity penalty | 50.00 / 25.00 / 12.50 / 6.25 / 0.900 |');
    expect(card).toContain('| chrF2 ×100 (sacreBLEU\'s default: character 1–6-grams, whitespace removed, β = 2) | 45.67 |');
    expect(card).toContain("Decoding: the engine's defaults");
  });
});
