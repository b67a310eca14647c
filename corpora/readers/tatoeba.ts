// Reader for the ManyThings.org Anki exports of Tatoeba (fra.txt, deu.txt): "English<TAB>Other" per
// line, with a third attribution column in later exports ("CC-BY 2.0 (France) Attribution: ...").
import type { IssueLog } from '../errors.ts';
import { readLines } from '../lines.ts';
import type { Direction, TranslationPair } from '../types.ts';
import { requireSome } from './guard.ts';

export interface TatoebaOptions {
  /** The file's second-column language: 'fr', 'de'... */
  language: string;
  /** 'en-xx' translates English into the file's language, 'xx-en' the reverse. */
  direction: Direction;
}

async function* records(file: string, log: IssueLog, options: TatoebaOptions): AsyncGenerator<TranslationPair> {
  const { language, direction } = options;
  const fromEnglish = direction === `en-${language}`;
  if (!fromEnglish && direction !== `${language}-en`) {
    throw new Error(`tatoeba: direction must be en-${language} or ${language}-en, got ${direction}`);
  }
  for await (const { line, text } of readLines(file)) {
    if (text.trim() === '') continue;
    const columns = text.split('\t');
    if (columns.length < 2 || columns.length > 3) {
      log.report(file, line, `expected 2 or 3 tab-separated columns (English, ${language}, attribution), got ${columns.length}`);
      continue;
    }
    const english = columns[0]!.trim();
    const other = columns[1]!.trim();
    if (english === '' || other === '') {
      log.report(file, line, 'empty sentence');
      continue;
    }
    const attribution = columns[2]?.trim();
    yield {
      src: fromEnglish ? english : other,
      tgt: fromEnglish ? other : english,
      direction,
      ...(attribution ? { attribution } : {}),
      source: { file, line },
    };
  }
}

export function readTatoeba(file: string, log: IssueLog, options: TatoebaOptions): AsyncGenerator<TranslationPair> {
  return requireSome(records(file, log, options), file, log);
}

/** The English side of a pair, whichever way it translates: the key that keeps splits apart. */
export function englishSide(pair: TranslationPair): string {
  return pair.direction.startsWith('en-') ? pair.src : pair.tgt;
}
