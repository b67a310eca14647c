// The model card section for a held-out translation evaluation (cli/eval-heldout-translate.ts): the
// figures, then every source beside its reference and the model's output, for a person to read.
import { loadHeldoutTranslation, type HeldoutLanguage } from '../corpora/index.ts';
import { cell, commandAndDecoding } from './eval-card.ts';
import type { HeldoutTranslateResult } from './eval-heldout-translate.ts';

const pct = (x: number): string => (100 * x).toFixed(2);

export async function heldoutTranslateSection(result: HeldoutTranslateResult, command: string): Promise<string> {
  const r = result;
  const [source, target] = r.direction.split('-') as [HeldoutLanguage, HeldoutLanguage];
  const sentences = new Map((await loadHeldoutTranslation({ split: r.split })).map((s) => [s.id, s]));
  const d = r.bleuDetail;
  const lines = [
    `## Held-out translation set (corpora/heldout/translation, ${r.split === 'all' ? 'dev + test' : `${r.split} half`}, ${r.direction})`,
    '',
    ...commandAndDecoding(command, r.decoding),
    `Sentences written for Parley, none of them in Tatoeba's fra-eng or deu-eng; the test half is never tuned on. One reference per sentence, so scores run lower than against several.`,
    '',
    '| metric | value |',
    '|---|---|',
    `| BLEU ×100 (Parley's corpus BLEU: NLTK's, over space-separated tokens, ${r.sentences} sentences) | ${pct(r.bleu)} |`,
    `| n-gram precisions 1–4 ×100 / brevity penalty | ${d.precisions.map(pct).join(' / ')} / ${d.brevityPenalty.toFixed(3)} |`,
    `| output / reference length (tokens) | ${d.hypothesisLength} / ${d.referenceLength} |`,
    `| chrF2 ×100 (sacreBLEU's default: character 1–6-grams, whitespace removed, β = 2) | ${pct(r.chrf)} |`,
    `| perplexity of the references (teacher-forced) | ${r.perplexity.toFixed(2)} |`,
    `| empty outputs | ${r.emptyOutputs} |`,
    `| time per sentence (${r.sentences} sentences, 64 rows decoded together) | ${Math.round(r.timing.msPerSentence)} ms |`,
    '',
    `### Every ${source} source, its ${target} reference and the model's output`,
    '',
    `| id | half | topic | ${source} source | ${target} reference | output |`,
    '|---|---|---|---|---|---|',
    ...r.outputs.map(({ id, output }) => {
      const s = sentences.get(id)!;
      return `| ${id} | ${s.split} | ${s.topic} | ${cell(s[source])} | ${cell(s[target])} | ${cell(output)} |`;
    }),
    '',
  ];
  return lines.join('\n');
}
