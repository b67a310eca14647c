import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { generateExecutePrograms } from '../../../corpora/generators/learning-to-execute.ts';
import { Random as Rng } from '../../../engine/random.ts';
import { generateSequenceTask } from '../../../corpora/generators/sequence-tasks.ts';

describe('Rng', () => {
  it('repeats for a seed and differs between seeds', () => {
    const draw = (seed: number): number[] => {
      const r = new Rng(seed);
      return Array.from({ length: 5 }, () => r.between(0, 1000));
    };
    expect(draw(7)).toEqual(draw(7));
    expect(draw(7)).not.toEqual(draw(8));
  });
});

describe('copy / reverse / sort', () => {
  it('is deterministic for a seed and stays within the requested lengths and vocabulary', () => {
    const a = generateSequenceTask({ task: 'copy', count: 200, seed: 3, vocabSize: 5, minLength: 2, maxLength: 6 });
    expect(a).toEqual(generateSequenceTask({ task: 'copy', count: 200, seed: 3, vocabSize: 5, minLength: 2, maxLength: 6 }));
    expect(a).not.toEqual(generateSequenceTask({ task: 'copy', count: 200, seed: 4, vocabSize: 5, minLength: 2, maxLength: 6 }));
    const lengths = new Set(a.map((p) => p.src.split(' ').length));
    expect([...lengths].sort()).toEqual([2, 3, 4, 5, 6]);
    expect(a.every((p) => p.src.split(' ').every((t) => Number(t) >= 0 && Number(t) < 5))).toBe(true);
  });

  it('targets the copy, the reversal and the numeric sort of the source', () => {
    for (const task of ['copy', 'reverse', 'sort'] as const) {
      for (const { src, tgt } of generateSequenceTask({ task, count: 100, seed: 11, vocabSize: 20 })) {
        const s = src.split(' ').map(Number);
        const t = tgt.split(' ').map(Number);
        if (task === 'copy') expect(t).toEqual(s);
        if (task === 'reverse') expect(t).toEqual(s.slice().reverse());
        if (task === 'sort') {
          expect(t.slice().sort((x, y) => x - y)).toEqual(t);
          expect(t.slice().sort()).toEqual(s.slice().sort());
        }
      }
    }
  });

  it('refuses unknown tasks and bad lengths', () => {
    expect(() => generateSequenceTask({ task: 'shuffle' as 'copy', count: 1, seed: 0 })).toThrow(/task must be/);
    expect(() => generateSequenceTask({ task: 'copy', count: 1, seed: 0, minLength: 5, maxLength: 2 })).toThrow(/lengths/);
  });
});

describe('learning to execute', () => {
  it('is deterministic for a seed and ends every program with a print of an integer', () => {
    const a = generateExecutePrograms({ count: 100, seed: 5, length: 3, nesting: 3 });
    expect(a).toEqual(generateExecutePrograms({ count: 100, seed: 5, length: 3, nesting: 3 }));
    expect(a).not.toEqual(generateExecutePrograms({ count: 100, seed: 6, length: 3, nesting: 3 }));
    for (const { program, output } of a) {
      expect(program.split('\n').at(-1)).toMatch(/^print\(.+\)$/);
      expect(output).toMatch(/^-?\d+$/);
    }
  });

  it('uses constants of the requested number of digits', () => {
    for (const { program } of generateExecutePrograms({ count: 50, seed: 1, length: 4, nesting: 1 })) {
      const constants = (program.replace(/range\(\d+\)|\*\d+\)/g, '').match(/\d+/g) ?? []).filter((n) => n.length > 0);
      for (const n of constants) expect(n.length).toBe(4);
    }
  });

  it('refuses out-of-range difficulty', () => {
    expect(() => generateExecutePrograms({ count: 1, seed: 0, length: 0, nesting: 1 })).toThrow(/length/);
    expect(() => generateExecutePrograms({ count: 1, seed: 0, length: 2, nesting: 9 })).toThrow(/nesting/);
  });

  const python = spawnSync('python3', ['--version']).status === 0;
  it.skipIf(!python)('prints exactly what Python prints for the same programs', () => {
    const examples = [1, 4, 9].flatMap((length) => generateExecutePrograms({ count: 60, seed: length, length, nesting: 4 }));
    const script = [
      'import json, sys, io, contextlib',
      'out = []',
      'for p in json.load(sys.stdin):',
      '    buf = io.StringIO()',
      '    with contextlib.redirect_stdout(buf): exec(p, {})',
      '    out.append(buf.getvalue().strip())',
      'print(json.dumps(out))',
    ].join('\n');
    const run = spawnSync('python3', ['-c', script], { input: JSON.stringify(examples.map((e) => e.program)), encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual(examples.map((e) => e.output));
  });
});
