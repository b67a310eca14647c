// The model card section for a held-out chat evaluation (cli/eval-heldout.ts): the figures, then every
// reply beside its message and every dialogue answer beside what it had to use.
import { loadHeldoutChat } from '../corpora/index.ts';
import { defaultDecodingOptions } from '../engine/index.ts';
import type { HeldoutResult } from './eval-heldout.ts';

/** A table cell: one line, pipes escaped, an empty reply shown as such. */
export function cell(text: string): string {
  const t = text.replace(/\s+/g, ' ').trim().replace(/\|/g, '\\|');
  return t === '' ? '*(empty)*' : t;
}

const fixed = (x: number): string => x.toFixed(3);

/** The candidate pool the replies were chosen from: generated alone, or with retrieved replies, and MMI-bidi. */
function poolLine(r: HeldoutResult): string {
  const pool = r.retrieved > 0 ? `the generated n-best and the replies of the ${r.retrieved} nearest training prompts (the model's retrieval/ index)` : 'the generated n-best alone (no retrieved pool)';
  return `Candidates: ${pool}; ${r.backward === null ? 'no MMI-bidi reranking' : `reranked with MMI-bidi by the backward model ${r.backward}`}.`;
}

/** A held-out section's command block and the decoding it ran with (chat and translate cards alike). */
export function commandAndDecoding(command: string, decoding: object): string[] {
  return [
    '```',
    command,
    '```',
    Object.keys(decoding).length === 0
      ? `Decoding: the engine's defaults (${defaultDecodingOptions.strategy} ${defaultDecodingOptions.beamSize}), as served: the model sets none.`
      : `Decoding: \`${JSON.stringify(decoding)}\` (the model's defaults, as served, with any --options on top).`,
  ];
}

/** +0.123 / −0.045, and 0.000 rather than a signed zero. */
function signed(x: number): string {
  const text = x.toFixed(3);
  if (Number(text) === 0) return '0.000';
  return x > 0 ? `+${text}` : `−${text.slice(1)}`;
}

export async function heldoutSection(result: HeldoutResult, command: string): Promise<string> {
  const set = await loadHeldoutChat({ split: result.split });
  const messages = new Map(set.messages.map((m) => [m.id, m]));
  const dialogues = new Map(set.dialogues.map((d) => [d.id, d]));
  const r = result;
  const lines = [
    `## Held-out chat set (corpora/heldout/chat, ${r.split === 'all' ? 'dev + test' : `${r.split} half`})`,
    '',
    ...commandAndDecoding(command, r.decoding),
    poolLine(r),
    '',
    '| metric | value |',
    '|---|---|',
    `| perplexity of the references (${r.messages + r.dialogues} items) | ${r.perplexity.toFixed(2)} |`,
    `| hits@1/20 (summed log-probability, 19 seeded distractors from the same items) | ${fixed(r.hits1of20)} |`,
    `| distinct-1 / distinct-2 (${r.messages} message replies) | ${fixed(r.distinct1)} / ${fixed(r.distinct2)} |`,
    `| most repeated reply | "${cell(r.mostRepeated.reply)}" × ${r.mostRepeated.count} |`,
    `| empty replies | ${r.emptyReplies} |`,
    `| mean reply length (words) | ${r.meanLength.toFixed(2)} |`,
    `| dialogue references likelier given the earlier turns (those the model reads) than the last message alone | ${r.contextGain.helped} of ${r.contextGain.items} (${signed(r.contextGain.natsPerToken)} nats a token) |`,
    `| dialogue answers using an earlier turn (keyword judge) | ${r.dialoguesUsingContext} of ${r.dialogues} |`,
    `| replies retrieved from the training corpora (messages / dialogue answers) | ${r.origins.messages.retrieved} of ${r.messages} / ${r.origins.dialogues.retrieved} of ${r.dialogues} |`,
    `| time per reply (${r.messages + r.dialogues} replies, 64 rows decoded together) | ${Math.round(r.timing.msPerReply)} ms |`,
    '',
    '### Replies to the single messages',
    '',
    '| id | half | category | message | reply | origin |',
    '|---|---|---|---|---|---|',
    ...r.replies.map(({ id, reply, origin }) => {
      const m = messages.get(id)!;
      return `| ${id} | ${m.split} | ${m.category} | ${cell(m.message)} | ${cell(reply)} | ${origin} |`;
    }),
    '',
    '### Dialogue answers (the earlier turns are in corpora/heldout/chat/dialogues.jsonl)',
    '',
    '| id | half | last message | must use | answer | uses it? | origin |',
    '|---|---|---|---|---|---|---|',
    ...r.dialogueAnswers.map(({ id, reply, usesContext, origin }) => {
      const d = dialogues.get(id)!;
      return `| ${id} | ${d.split} | ${cell(d.turns.at(-1)!)} | ${cell(d.mustUse)} | ${cell(reply)} | ${usesContext ? 'yes' : 'no'} | ${origin} |`;
    }),
    '',
  ];
  return lines.join('\n');
}
