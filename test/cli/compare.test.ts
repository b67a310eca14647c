import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../corpora/paths.ts';
import { tempDir } from '../helpers/tmp.ts';

const bin = path.join(repoRoot, 'bin/parley.js');

describe('parley compare', () => {
  it('trains a GRU and an LSTM variant on the same data and prints both curves', () => {
    const out = tempDir('parley-compare');
    const r = spawnSync(process.execPath, [bin, 'compare', '--task', 'sort', '--steps', '4', '--valid-every', '2', '--max-examples', '100',
      '--hidden', '8', '--embedding', '8', '--valid-limit', '5', '--out', out], { cwd: repoRoot, encoding: 'utf8' });
    expect(r.status).toBe(0);
    const result = JSON.parse(r.stdout);
    expect(result).toMatchObject({ task: 'sort', preset: 'rnnsearch', steps: 4 });
    expect(result.variants.map((v: { cell: string }) => v.cell)).toEqual(['gru', 'lstm']);
    for (const v of result.variants) {
      expect(v.curve.map((p: { step: number }) => p.step)).toEqual([2, 4]);
      expect(v.curve[0].perplexity).toBeGreaterThan(1);
      const config = JSON.parse(readFileSync(path.join(out, v.cell, 'config.json'), 'utf8'));
      expect(config.model.encoder.cell).toBe(v.cell);
      expect(config.model.decoder.cell).toBe(v.cell);
    }
  });

  it('needs a budget', () => {
    const r = spawnSync(process.execPath, [bin, 'compare', '--task', 'sort'], { cwd: repoRoot, encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--budget DURATION or --steps N/);
  });
});
