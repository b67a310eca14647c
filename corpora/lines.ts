// Streams a UTF-8 text file line by line with 1-based line numbers, so big corpora never sit in
// memory whole; file-system errors surface as CorpusError.
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { unreadable } from './errors.ts';

export interface NumberedLine {
  line: number;
  text: string;
}

export async function* readLines(file: string): AsyncGenerator<NumberedLine> {
  const stream = createReadStream(file, { encoding: 'utf8' });
  const opened = new Promise<void>((ok, fail) => {
    stream.once('ready', () => ok());
    stream.once('error', fail);
  });
  try {
    await opened;
  } catch (error) {
    throw unreadable(file, error);
  }
  const reader = createInterface({ input: stream, crlfDelay: Infinity });
  let line = 0;
  try {
    for await (let text of reader) {
      line++;
      if (line === 1 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      yield { line, text };
    }
  } catch (error) {
    throw unreadable(file, error);
  } finally {
    reader.close();
    stream.destroy();
  }
}

/** Parses each non-blank line as JSON; lines that are not JSON are reported and skipped. */
export async function* readJsonLines(
  file: string,
  report: (line: number, message: string) => void,
): AsyncGenerator<{ line: number; value: unknown }> {
  for await (const { line, text } of readLines(file)) {
    if (text.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      report(line, `invalid JSON: ${(error as Error).message}`);
      continue;
    }
    yield { line, value };
  }
}
