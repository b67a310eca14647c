// A reader for the block-style YAML subset ChatterBot's corpus files use: a top-level mapping whose
// values are block sequences (nested, "- - utterance") of scalars — plain (multi-line), 'single' and
// "double" quoted, and literal/folded block scalars (| |- > >-). Every scalar stays a string (YAML 1.1
// would turn "yes" or 1984 into a boolean or number; a chat corpus wants the text).
// Anything outside the subset (anchors, flow collections, nested mappings) is a YamlSubsetError with its line.

export type YamlValue = string | YamlValue[] | { [key: string]: YamlValue };

export class YamlSubsetError extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(`line ${line}: ${message}`);
  }
}

interface Line {
  indent: number;
  text: string; // without indentation
  number: number; // 1-based
}

class Parser {
  private pos = 0;

  constructor(private readonly lines: Line[]) {}

  private skipEmpty(): void {
    while (this.pos < this.lines.length && isBlankOrComment(this.lines[this.pos]!.text)) this.pos++;
  }

  private current(): Line | undefined {
    this.skipEmpty();
    return this.lines[this.pos];
  }

  document(): YamlValue {
    const first = this.current();
    if (first === undefined) return {};
    if (isSequenceItem(first.text)) return this.sequence(first.indent);
    const map: Record<string, YamlValue> = {};
    for (let line = this.current(); line !== undefined; line = this.current()) {
      const m = /^([^\s#'"][^:]*):(?:\s+(.*))?$/.exec(line.text);
      if (line.indent !== 0 || m === null) throw new YamlSubsetError(`expected a top-level "key:"`, line.number);
      const key = m[1]!.trim();
      this.pos++;
      if (m[2] !== undefined && !isBlankOrComment(m[2])) {
        this.lines[--this.pos] = { indent: line.indent + line.text.indexOf(m[2]), text: m[2], number: line.number };
        map[key] = this.scalar(0);
        continue;
      }
      const next = this.current();
      map[key] = next !== undefined && isSequenceItem(next.text) && next.indent >= 0 && next.indent <= 2 ? this.sequence(next.indent) : '';
    }
    return map;
  }

  /** Items "- x" at exactly `indent`; an item's content is re-read as a node at its own column. */
  private sequence(indent: number): YamlValue[] {
    const items: YamlValue[] = [];
    for (let line = this.current(); line !== undefined && line.indent === indent && isSequenceItem(line.text); line = this.current()) {
      const rest = line.text.slice(1).replace(/^\s+/, '');
      if (rest === '' || rest.startsWith('#')) {
        this.pos++;
        const next = this.current();
        items.push(next !== undefined && next.indent > indent ? this.node(indent) : '');
        continue;
      }
      const column = indent + (line.text.length - rest.length);
      this.lines[this.pos] = { indent: column, text: rest, number: line.number };
      items.push(this.node(indent));
    }
    return items;
  }

  /** A node whose first line is current; continuation lines must be indented past `parent`. */
  private node(parent: number): YamlValue {
    const line = this.current()!;
    if (isSequenceItem(line.text)) return this.sequence(line.indent);
    return this.scalar(parent);
  }

  private scalar(parent: number): string {
    const line = this.current()!;
    const first = line.text[0];
    if (first === '&' || first === '*' || first === '!' || first === '[' || first === '{') {
      throw new YamlSubsetError(`unsupported YAML (${first}...)`, line.number);
    }
    if (first === '|' || first === '>') return this.blockScalar(parent);
    if (first === "'" || first === '"') return this.quoted(parent);
    return this.plain(parent);
  }

  /** Continuation lines (indented past `parent`, blank lines kept) after the current one. */
  private continuation(parent: number): Line[] {
    const out: Line[] = [];
    let end = this.pos + 1;
    while (end < this.lines.length) {
      const l = this.lines[end]!;
      if (l.text !== '' && l.indent <= parent) break;
      out.push(l);
      end++;
    }
    while (out.length > 0 && out[out.length - 1]!.text === '') out.pop();
    this.pos += 1 + out.length;
    return out;
  }

  private blockScalar(parent: number): string {
    const header = this.current()!;
    const chomp = header.text.includes('-') ? 'strip' : header.text.includes('+') ? 'keep' : 'clip';
    const literal = header.text.startsWith('|');
    const body = this.continuation(parent);
    const indent = Math.min(...body.filter((l) => l.text !== '').map((l) => l.indent));
    const texts = body.map((l) => (l.text === '' ? '' : ' '.repeat(l.indent - indent) + l.text.replace(/\s+$/, '')));
    let value = literal ? texts.join('\n') : foldLines(texts);
    if (chomp !== 'strip' && value !== '') value += '\n';
    return value;
  }

  private quoted(parent: number): string {
    const start = this.current()!;
    const quote = start.text[0]!;
    const texts = [start.text.slice(1)];
    // Gather lines until one holds the closing quote (a doubled '' or escaped \" does not close).
    const body = this.continuation(parent);
    let closed = findClose(texts[0]!, quote);
    let used = 0;
    while (closed < 0 && used < body.length) {
      texts.push(body[used]!.text);
      closed = findClose(body[used]!.text, quote);
      used++;
    }
    if (closed < 0) throw new YamlSubsetError(`unterminated ${quote}quoted${quote} string`, start.number);
    this.pos -= body.length - used; // lines after the closing quote belong to what follows
    const last = texts.length - 1;
    const after = texts[last]!.slice(closed + 1).trim();
    if (after !== '' && !after.startsWith('#')) throw new YamlSubsetError(`text after closing quote: ${after}`, start.number);
    texts[last] = texts[last]!.slice(0, closed);
    // Folding eats the white space around each line break, never the white space inside the quotes.
    const folded = foldLines(texts.map((t, i) => (i === 0 ? t : t.trimStart())).map((t, i) => (i === last ? t : t.trimEnd())));
    return quote === "'" ? folded.replaceAll("''", "'") : unescapeDouble(folded);
  }

  private plain(parent: number): string {
    const start = this.current()!;
    const body = this.continuation(parent);
    const texts = [start.text, ...body.map((l) => l.text)].map(stripComment);
    return foldLines(texts.map(trimYaml));
  }
}

/** YAML white space is space and tab only: a trailing no-break space is part of the text. */
function trimYaml(text: string): string {
  return text.replace(/^[ \t]+|[ \t]+$/g, '');
}

function isBlankOrComment(text: string): boolean {
  return trimYaml(text) === '' || text.startsWith('#');
}

function isSequenceItem(text: string): boolean {
  return text === '-' || text.startsWith('- ') || text.startsWith('-\t');
}

function stripComment(text: string): string {
  const at = text.search(/\s#/);
  return at < 0 ? text : text.slice(0, at);
}

/** YAML line folding: a single line break becomes a space, each blank line a newline. */
function foldLines(texts: string[]): string {
  let out = '';
  let pendingBreaks = 0;
  texts.forEach((t, i) => {
    if (t === '' && i > 0) {
      pendingBreaks++;
      return;
    }
    if (i > 0) out += pendingBreaks > 0 ? '\n'.repeat(pendingBreaks) : ' ';
    pendingBreaks = 0;
    out += t;
  });
  return out;
}

function findClose(text: string, quote: string): number {
  for (let i = 0; i < text.length; i++) {
    if (quote === '"' && text[i] === '\\') {
      i++;
      continue;
    }
    if (text[i] === quote) {
      if (quote === "'" && text[i + 1] === "'") {
        i++;
        continue;
      }
      return i;
    }
  }
  return -1;
}

const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '0': '\0', '"': '"', '\\': '\\', '/': '/', ' ': ' ', e: '\x1b', a: '\x07', b: '\b' };

function unescapeDouble(text: string): string {
  return text.replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|.)/g, (_, e: string) => {
    if (e.length > 1) return String.fromCodePoint(parseInt(e.slice(1), 16));
    return ESCAPES[e] ?? e;
  });
}

/** Parses a document of the subset; throws YamlSubsetError with a line number outside it. */
export function parseYamlSubset(text: string): YamlValue {
  const lines = text
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .map((raw, i) => {
      // Trailing spaces stay: they belong to a quoted string that closes on this line.
      const text = raw.replace(/^[ \t]+/, '');
      if (/^ *\t/.test(raw) && text !== '') throw new YamlSubsetError('tab used for indentation', i + 1);
      return { indent: raw.length - text.length, text: trimYaml(text) === '' ? '' : text, number: i + 1 };
    });
  return new Parser(lines).document();
}
