// Words for the parser from raw text, the way the treebank it learned from splits them (Penn Treebank
// conventions as GUM follows them): punctuation and quotes apart, clitics split ("do n't", "it 's"),
// round brackets as -LRB- / -RRB-; hyphenated words stay whole, as GUM mostly keeps them. A parser trained on
// such words would otherwise see "mat." or "don't" as one unknown word. Text already split this way
// comes back unchanged, so tokenized input is safe to pass.

const CLITIC = /^(.+?)(n['’]t|['’](?:s|re|ve|ll|d|m))$/i;
const BRACKETS: Record<string, string> = { '(': '-LRB-', ')': '-RRB-' };
/** Abbreviations whose final period belongs to the word (the period ending a sentence is split off). */
const ABBREVIATION = /^(?:\p{L}|\p{L}\.(?:\p{L}\.?)+|Mr|Mrs|Ms|Dr|Prof|St|Jr|Sr|vs|etc|al|ca|cf|pp|div|Inc|Ltd|Co|No|Fig|Vol|Ph\.D)\.$/u;

export function ptbTokenize(text: string): string[] {
  const words: string[] = [];
  for (const chunk of text.normalize('NFC').split(/\s+/)) {
    if (chunk === '') continue;
    words.push(...splitChunk(chunk));
  }
  return words;
}

function splitChunk(chunk: string): string[] {
  if (chunk === '...' || chunk === '…' || /^-[LR][RCS]B-$/.test(chunk)) return [chunk];
  const lead: string[] = [];
  const tail: string[] = [];
  let word = chunk;
  // Opening punctuation.
  for (let m = /^(["“‘`'(\[{¿¡]|\$)/.exec(word); m && word.length > 1; m = /^(["“‘`'(\[{¿¡]|\$)/.exec(word)) {
    if (m[1] === "'" && /^'(s|re|ve|ll|d|m|em|tis)\b/i.test(word)) break;
    lead.push(m[1]!);
    word = word.slice(1);
  }
  // Closing punctuation, innermost last.
  for (;;) {
    const ellipsis = /(\.\.\.|…)$/.exec(word);
    if (ellipsis && word.length > ellipsis[0].length) {
      tail.unshift(ellipsis[0]);
      word = word.slice(0, -ellipsis[0].length);
      continue;
    }
    const m = /([,;:?!"”’)\]}%]|'(?!\w))$/.exec(word);
    if (m && word.length > 1 && !(m[1] === '’' && CLITIC.test(word))) {
      tail.unshift(m[1]!);
      word = word.slice(0, -1);
      continue;
    }
    if (word.length > 1 && word.endsWith('.') && !ABBREVIATION.test(word)) {
      tail.unshift('.');
      word = word.slice(0, -1);
      continue;
    }
    break;
  }
  const core: string[] = [];
  const clitic = CLITIC.exec(word);
  if (clitic && !/^['’]/.test(word)) core.push(clitic[1]!, clitic[2]!);
  else if (word !== '') core.push(word);
  return [...lead, ...core, ...tail].map((w) => BRACKETS[w] ?? w);
}
