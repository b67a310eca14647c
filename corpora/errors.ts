// Errors and bad-data bookkeeping shared by every corpus reader: bad records are reported with file
// and line, counted and skipped; a corpus that is missing, unreadable or empty is a CorpusError.

export class CorpusError extends Error {
  override name = 'CorpusError';
}

export interface DataIssue {
  file: string;
  /** 1-based line of the record (for a tree file, the line its tree starts on). */
  line: number;
  message: string;
}

/** Collects bad records; keeps the first `keep` in full and counts the rest. */
export class IssueLog {
  readonly issues: DataIssue[] = [];
  count = 0;

  constructor(
    private readonly keep = 100,
    private readonly onIssue?: (issue: DataIssue) => void,
  ) {}

  report(file: string, line: number, message: string): void {
    const issue = { file, line, message };
    this.count++;
    if (this.issues.length < this.keep) this.issues.push(issue);
    this.onIssue?.(issue);
  }

  /** "3 bad records skipped; first: fra.txt:12: expected 2 tab-separated columns, got 1". */
  summary(): string {
    if (this.count === 0) return 'no bad records';
    const first = this.issues[0]!;
    return `${this.count} bad record(s) skipped; first: ${formatIssue(first)}`;
  }
}

export function formatIssue(issue: DataIssue): string {
  return `${issue.file}:${issue.line}: ${issue.message}`;
}

/** Turns a file-system failure into a CorpusError that names the file and how to point elsewhere. */
export function unreadable(file: string, cause: unknown): CorpusError {
  const code = (cause as NodeJS.ErrnoException | undefined)?.code;
  const why = code === 'ENOENT' ? 'not found' : code === 'EISDIR' ? 'is a directory' : (cause as Error)?.message ?? String(cause);
  return new CorpusError(`cannot read corpus file ${file}: ${why} (set --corpora or PARLEY_CORPORA to the corpus directory)`, { cause });
}
