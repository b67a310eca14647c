// Training progress on stderr: a redrawn bar with loss, tokens/s and ETA on a terminal, one quiet
// line per logged step otherwise (CI logs, files).

export interface ProgressState {
  step: number;
  loss: number;
  tokensPerSecond: number;
  elapsedMs: number;
}

export interface ProgressOptions {
  stream?: NodeJS.WriteStream;
  totalSteps?: number;
  budgetMs?: number;
  /** Draw a bar (default: stream.isTTY). */
  tty?: boolean;
}

function clock(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return `${h > 0 ? `${h}:` : ''}${String(m).padStart(h > 0 ? 2 : 1, '0')}:${String(s % 60).padStart(2, '0')}`;
}

export class Progress {
  private readonly stream: NodeJS.WriteStream;
  private readonly tty: boolean;
  private drawn = false;

  constructor(private readonly options: ProgressOptions = {}) {
    this.stream = options.stream ?? process.stderr;
    this.tty = options.tty ?? Boolean(this.stream.isTTY);
  }

  /** Fraction done, by steps or by time budget, whichever is further along. */
  private fraction(s: ProgressState): number | null {
    const parts: number[] = [];
    if (this.options.totalSteps) parts.push(s.step / this.options.totalSteps);
    if (this.options.budgetMs) parts.push(s.elapsedMs / this.options.budgetMs);
    return parts.length === 0 ? null : Math.min(1, Math.max(...parts));
  }

  update(s: ProgressState): void {
    const f = this.fraction(s);
    const eta = f && f > 0 ? clock((s.elapsedMs * (1 - f)) / f) : '?';
    const stats = `step ${s.step}${this.options.totalSteps ? `/${this.options.totalSteps}` : ''}  loss ${s.loss.toFixed(4)}  ${Math.round(s.tokensPerSecond)} tok/s  ${clock(s.elapsedMs)} elapsed  ETA ${eta}`;
    if (!this.tty) {
      this.stream.write(`${stats}\n`);
      return;
    }
    const width = 24;
    const filled = f === null ? 0 : Math.round(f * width);
    const bar = f === null ? '' : `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(f * 100).toFixed(0).padStart(3)}%  `;
    this.stream.write(`\r\x1b[2K${bar}${stats}`);
    this.drawn = true;
  }

  /** A message on its own line (the bar is redrawn by the next update). */
  line(message: string): void {
    if (this.drawn) this.stream.write('\r\x1b[2K');
    this.drawn = false;
    this.stream.write(`${message}\n`);
  }

  done(): void {
    if (this.drawn) this.stream.write('\n');
    this.drawn = false;
  }
}
