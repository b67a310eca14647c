// The shared corpora Parley knows by name: task, format, languages, licence and attribution (to carry
// into model cards), upstream, and the sha256 of every file (checksums.ts), verified on demand.
import { CHECKSUMS } from './checksums.ts';
import type { Task } from './types.ts';

export type CorpusName = 'self-dialogue' | 'chatterbot' | 'sgd' | 'kdconv' | 'tatoeba-fra-eng' | 'tatoeba-deu-eng' | 'gum';
export type CorpusFormat = 'self-dialogue-jsonl' | 'chatterbot-yaml' | 'sgd-jsonl' | 'kdconv-jsonl' | 'tatoeba-tsv' | 'ptb';

export interface CorpusEntry {
  name: CorpusName;
  task: Task;
  format: CorpusFormat;
  /** BCP 47 codes; chatterbot's per-language folders are listed by folder name in `variants`. */
  languages: string[];
  licence: string;
  attribution: string;
  upstream: string;
  /** Folder under the corpus directory that holds everything of this corpus. */
  root: string;
  /** Data files (paths relative to the corpus directory) the readers read, in a fixed order. */
  dataFiles: string[];
  /** sha256 of every file under root, licence and SOURCE.txt included. */
  checksums: Record<string, string>;
  /** How train/valid/test are made. */
  splits: string;
  /** Sub-collections selectable by name (chatterbot languages). */
  variants?: string[];
}

function filesOf(name: CorpusName, pattern: RegExp): { checksums: Record<string, string>; dataFiles: string[] } {
  const checksums = CHECKSUMS[name] ?? {};
  return { checksums, dataFiles: Object.keys(checksums).filter((p) => pattern.test(p)).sort() };
}

const chatterbotFiles = filesOf('chatterbot', /\.yml$/);

/** ChatterBot's language folders and their BCP 47 codes. */
export const CHATTERBOT_LANGUAGES: Record<string, string> = {
  bengali: 'bn', chinese: 'zh', dutch: 'nl', english: 'en', french: 'fr', german: 'de', hebrew: 'he', hindi: 'hi',
  hinglish: 'hi-Latn', indonesian: 'id', italian: 'it', japanese: 'ja', korean: 'ko', marathi: 'mr', oriya: 'or',
  persian: 'fa', portuguese: 'pt', russian: 'ru', spanish: 'es', swedish: 'sv', tamil: 'ta', telugu: 'te', thai: 'th',
  traditionalchinese: 'zh-Hant', turkish: 'tr', ukrainian: 'uk', urdu: 'ur', yoruba: 'yo',
};

export const CORPORA: Record<CorpusName, CorpusEntry> = {
  'self-dialogue': {
    name: 'self-dialogue',
    task: 'chat',
    format: 'self-dialogue-jsonl',
    languages: ['en'],
    licence: 'BSD-3-Clause',
    attribution: 'Self-dialogue Corpus, Fainberg et al. 2018 (arXiv:1809.06641), University of Edinburgh',
    upstream: 'https://github.com/jfainberg/self_dialogue_corpus',
    root: 'dialogue/self-dialogue',
    ...filesOf('self-dialogue', /\.jsonl$/),
    splits: 'hash of the conversation id: 90/5/5',
  },
  chatterbot: {
    name: 'chatterbot',
    task: 'chat',
    format: 'chatterbot-yaml',
    languages: Object.values(CHATTERBOT_LANGUAGES),
    licence: 'BSD-3-Clause',
    attribution: 'ChatterBot Language Training Corpus, Gunther Cox and contributors',
    upstream: 'https://github.com/gunthercox/chatterbot-corpus',
    root: 'dialogue/chatterbot-corpus',
    ...chatterbotFiles,
    splits: 'hash of the opening utterance (repeated prompts stay together): 90/5/5',
    variants: [...new Set(chatterbotFiles.dataFiles.map((p) => p.split('/').at(-2)!))].sort(),
  },
  sgd: {
    name: 'sgd',
    task: 'chat',
    format: 'sgd-jsonl',
    languages: ['en'],
    licence: 'CC BY-SA 4.0',
    attribution:
      'Schema-Guided Dialogue dataset, Rastogi et al. 2020, "Towards Scalable Multi-domain Conversational Modeling", Google Research (partial release)',
    upstream: 'https://github.com/google-research-datasets/dstc8-schema-guided-dialogue',
    root: 'dialogue/sgd',
    ...filesOf('sgd', /\.jsonl$/),
    splits: 'upstream files: sgd_train / sgd_dev (valid) / sgd_test',
  },
  kdconv: {
    name: 'kdconv',
    task: 'chat',
    format: 'kdconv-jsonl',
    languages: ['zh'],
    licence: 'Apache-2.0',
    attribution: 'KdConv, Zhou et al. ACL 2020, Tsinghua University CoAI group (dev and test files only)',
    upstream: 'https://github.com/thu-coai/KdConv',
    root: 'chinese/kdconv-devtest',
    ...filesOf('kdconv', /\.jsonl$/),
    splits: 'hash of the topic over the upstream dev+test conversations (upstream train is missing): 80/10/10',
  },
  'tatoeba-fra-eng': {
    name: 'tatoeba-fra-eng',
    task: 'translate',
    format: 'tatoeba-tsv',
    languages: ['en', 'fr'],
    licence: 'CC BY 2.0 FR',
    attribution: 'Tatoeba (tatoeba.org) sentence pairs via the ManyThings.org Anki export (www.manythings.org/anki)',
    upstream: 'https://www.manythings.org/anki/',
    root: 'translation/tatoeba-anki-fra-eng',
    ...filesOf('tatoeba-fra-eng', /fra\.txt$/),
    splits: 'hash of the English sentence (one source sentence never straddles splits): 90/5/5',
  },
  'tatoeba-deu-eng': {
    name: 'tatoeba-deu-eng',
    task: 'translate',
    format: 'tatoeba-tsv',
    languages: ['en', 'de'],
    licence: 'CC BY 2.0 FR',
    attribution: 'Tatoeba (tatoeba.org) sentence pairs via the ManyThings.org Anki export (www.manythings.org/anki)',
    upstream: 'https://www.manythings.org/anki/',
    root: 'translation/tatoeba-anki-deu-eng',
    ...filesOf('tatoeba-deu-eng', /deu\.txt$/),
    splits: 'hash of the English sentence (one source sentence never straddles splits): 90/5/5',
  },
  gum: {
    name: 'gum',
    task: 'parse',
    format: 'ptb',
    languages: ['en'],
    licence: 'annotations CC BY 4.0; texts CC BY 4.0 (academic, court), CC BY-SA 3.0 (bio, voyage), CC BY 2.5 (news, interview)',
    attribution: 'GUM corpus, Zeldes 2017, Georgetown University (constituency trees: silver, parser output from gold tokens and tags)',
    upstream: 'https://github.com/amir-zeldes/gum',
    root: 'parsing/gum-const',
    ...filesOf('gum', /\.ptb$/),
    splits: "GUM's official document splits (splits.md): train / dev (valid) / test",
  },
};

export const CORPUS_NAMES = Object.keys(CORPORA) as CorpusName[];

export function isCorpusName(name: string): name is CorpusName {
  return Object.hasOwn(CORPORA, name);
}

/** The entry for a name, or an error that lists the known names. */
export function corpusEntry(name: string): CorpusEntry {
  if (!isCorpusName(name)) throw new Error(`unknown corpus "${name}"; known: ${CORPUS_NAMES.join(', ')}`);
  return CORPORA[name];
}

/** One line for a model card: what the data is, who made it, under which licence, from where. */
export function attributionLine(name: string): string {
  const e = corpusEntry(name);
  return `${e.name}: ${e.attribution}. Licence: ${e.licence}. Source: ${e.upstream}`;
}
