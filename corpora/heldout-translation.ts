// Parley's own held-out translation set (corpora/heldout/translation): 150 everyday sentences written
// for this project as aligned English / French / German triples, in a dev and a test half. Like the chat
// set it is read only by evaluation (load.ts refuses anything under corpora/heldout/ for training).
import { join } from 'node:path';
import { HELDOUT_DIR, heldoutRecords, type HeldoutHalf } from './heldout.ts';

export const HELDOUT_TRANSLATION = {
  name: 'parley-translation-heldout',
  licence: "MIT (the Parley project's own licence)",
  attribution: 'Written for Parley by its engineers; not drawn from any corpus',
  root: join(HELDOUT_DIR, 'translation'),
  file: 'sentences.jsonl',
} as const;

export const HELDOUT_LANGUAGES = ['en', 'fr', 'de'] as const;
export type HeldoutLanguage = (typeof HELDOUT_LANGUAGES)[number];

export const HELDOUT_TOPICS = [
  'travel', 'food', 'work', 'family', 'weather', 'health', 'shopping', 'time', 'feelings', 'school', 'technology', 'directions', 'numbers',
] as const;
export type HeldoutTopic = (typeof HELDOUT_TOPICS)[number];

/** One sentence in the three languages: each side is a translation of the others. */
export type HeldoutSentence = { id: string; split: HeldoutHalf; topic: HeldoutTopic } & Record<HeldoutLanguage, string>;

const KEYS = new Set(['id', 'split', 'topic', ...HELDOUT_LANGUAGES]);
const ID = /^t[0-9]{3}$/;

/**
 * A sentence as written: one line, no edge spaces, no control or invisible format characters (a stray
 * zero-width space would change a reference's n-grams without anyone seeing it), NFC so that "é" is one
 * code point as the models' tokenizers and chrF count it.
 */
function sentence(value: unknown, language: HeldoutLanguage): string {
  if (typeof value !== 'string' || value.trim() === '') throw new Error(`${language} must be a non-empty string`);
  if (value !== value.trim() || /\s{2}/u.test(value)) throw new Error(`${language} has spaces at an edge or doubled: ${JSON.stringify(value)}`);
  if (/[\p{Cc}\p{Cf}\u2028\u2029]/u.test(value)) throw new Error(`${language} holds a control or invisible format character: ${JSON.stringify(value)}`);
  if (value.normalize('NFC') !== value) throw new Error(`${language} is not in Unicode NFC: ${JSON.stringify(value)}`);
  return value;
}

function parseSentence(value: Record<string, unknown>): HeldoutSentence {
  const unknown = Object.keys(value).filter((k) => !KEYS.has(k));
  if (unknown.length > 0) throw new Error(`unknown field${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')} (fields: ${[...KEYS].join(', ')})`);
  if (typeof value.id !== 'string' || !ID.test(value.id)) throw new Error(`id must look like t001, got ${JSON.stringify(value.id)}`);
  const { split, topic } = value;
  if (split !== 'dev' && split !== 'test') throw new Error(`split must be "dev" or "test", got ${JSON.stringify(split)}`);
  if (!HELDOUT_TOPICS.includes(topic as HeldoutTopic)) throw new Error(`topic must be one of ${HELDOUT_TOPICS.join(', ')}, got ${JSON.stringify(topic)}`);
  return {
    id: value.id,
    split,
    topic: topic as HeldoutTopic,
    en: sentence(value.en, 'en'),
    fr: sentence(value.fr, 'fr'),
    de: sentence(value.de, 'de'),
  };
}

/** The set, or one half of it, in file order; every record is checked and any bad one is an error. */
export async function loadHeldoutTranslation(options: { split: HeldoutHalf | 'all'; dir?: string }): Promise<HeldoutSentence[]> {
  const file = join(options.dir ?? HELDOUT_TRANSLATION.root, HELDOUT_TRANSLATION.file);
  const all = await heldoutRecords(file, parseSentence);
  return options.split === 'all' ? all : all.filter((s) => s.split === options.split);
}
