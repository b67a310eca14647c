// "Learning to Execute" (Zaremba & Sutskever 2014): tiny Python programs built from addition,
// subtraction, small multiplication, variable assignment, if-expressions and for-loops, nested up to
// a bound, ending in a print; the target is the printed integer. `length` is the number of digits of
// the constants, `nesting` how many operations are composed, as in the paper's two difficulty knobs.
import { Random as Rng } from '../../engine/index.ts';

export interface ExecuteOptions {
  count: number;
  seed: number;
  /** Digits per constant (paper: 1..9 in curricula). */
  length: number;
  /** Operations composed (paper: 1..3). */
  nesting: number;
}

export interface ExecuteExample {
  /** Newline-separated Python source. */
  program: string;
  /** What `print` writes, without the newline. */
  output: string;
}

type Op = 'add' | 'sub' | 'mul' | 'if' | 'assign' | 'for';
const OPS: readonly Op[] = ['add', 'sub', 'mul', 'if', 'assign', 'for'];

interface Built {
  statements: string[];
  expression: string;
  /** Exact: length 9, nesting 6 with multiplications passes 2^53. */
  value: bigint;
}

class ProgramBuilder {
  private readonly variables: string[] = [];

  constructor(
    private readonly rng: Rng,
    private readonly length: number,
  ) {}

  private constant(): number {
    return this.rng.between(10 ** (this.length - 1) - (this.length === 1 ? 1 : 0), 10 ** this.length - 1);
  }

  private variable(): string {
    const free = 'abcdefghijklmnopqrstuvwyz'.split('').filter((v) => !this.variables.includes(v));
    const name = this.rng.pick(free);
    this.variables.push(name);
    return name;
  }

  build(depth: number): Built {
    if (depth === 0) {
      const value = this.constant();
      return { statements: [], expression: String(value), value: BigInt(value) };
    }
    const inner = this.build(depth - 1);
    const op = this.rng.pick(OPS);
    const c = this.constant();
    switch (op) {
      case 'add':
        return { ...inner, expression: `(${inner.expression}+${c})`, value: inner.value + BigInt(c) };
      case 'sub':
        return { ...inner, expression: `(${inner.expression}-${c})`, value: inner.value - BigInt(c) };
      case 'mul': {
        // The paper keeps one factor small so products stay learnable.
        const k = this.rng.between(1, 4 * this.length);
        return { ...inner, expression: `(${inner.expression}*${k})`, value: inner.value * BigInt(k) };
      }
      case 'if': {
        const a = this.constant();
        const b = this.constant();
        const other = this.constant();
        const taken = a < b;
        return { ...inner, expression: `(${inner.expression} if ${a}<${b} else ${other})`, value: taken ? inner.value : BigInt(other) };
      }
      case 'assign': {
        const v = this.variable();
        return { statements: [...inner.statements, `${v}=${inner.expression}`], expression: v, value: inner.value };
      }
      case 'for': {
        const v = this.variable();
        const times = this.rng.between(1, 4 * this.length);
        const sign = this.rng.pick(['+', '-'] as const);
        const loop = [`${v}=${inner.expression}`, `for x in range(${times}):`, `  ${v}${sign}=${c}`];
        return { statements: [...inner.statements, ...loop], expression: v, value: inner.value + BigInt((sign === '+' ? 1 : -1) * times * c) };
      }
    }
  }
}

export function generateExecutePrograms(options: ExecuteOptions): ExecuteExample[] {
  const { count, seed, length, nesting } = options;
  if (!Number.isInteger(count) || count < 0) throw new Error(`count must be an integer >= 0, got ${count}`);
  if (!Number.isInteger(length) || length < 1 || length > 9) throw new Error(`length must be an integer in 1..9, got ${length}`);
  if (!Number.isInteger(nesting) || nesting < 1 || nesting > 6) throw new Error(`nesting must be an integer in 1..6, got ${nesting}`);
  const rng = new Rng(seed);
  return Array.from({ length: count }, () => {
    const built = new ProgramBuilder(rng, length).build(nesting);
    return { program: [...built.statements, `print(${built.expression})`].join('\n'), output: String(built.value) };
  });
}
