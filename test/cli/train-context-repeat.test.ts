// `parley train --context-repeat`: a real chat run on a conversation file of one's own, end to end.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { contextPairIndices } from '../../cli/train-run.ts';
import { repoRoot } from '../../corpora/paths.ts';
import { tempDir } from '../helpers/tmp.ts';

const bin = path.join(repoRoot, 'bin/parley.js');
const root = tempDir('parley-context-repeat');

describe('contextPairIndices', () => {
  it('picks only the chat pairs whose reply draws on the earlier turns', () => {
    const reads = { input: ['My dog Biscuit is ill.', 'Oh no.', 'The vet called.'], target: 'Is Biscuit okay?' };
    const ignores = { input: ['My dog Biscuit is ill.', 'Oh no.', 'The vet called.'], target: 'What did they say?' };
    const single = { input: 'Biscuit', target: 'Biscuit' };
    expect(contextPairIndices([ignores, reads, single, reads])).toEqual([1, 3]);
  });
});

describe('parley train --context-repeat', () => {
  it('trains each pair whose reply draws on the earlier turns N more times, says how many, and keeps it across --resume', () => {
    const file = path.join(root, 'chats.jsonl');
    // Half the conversations end with the agent repeating the party size given two turns before.
    const lines = Array.from({ length: 400 }, (_, i) => JSON.stringify({
      id: `c${i}`,
      turns: [`a table for ${i % 9} tonight`, 'which restaurant', 'the ivy', i % 2 ? `booked for ${i % 9} people` : 'booked'],
    }));
    writeFileSync(file, lines.join('\n'));
    const out = path.join(root, 'run');
    const train = (extra: string[]) => spawnSync(process.execPath, [bin, 'train', '--task', 'chat', '--corpus', file, '--engine', 'tfjs', '--out', out,
      '--hidden', '8', '--embedding', '8', '--vocab-size', '300', '--valid-every', '100', '--valid-limit', '5', '--checkpoint-every', '1', ...extra], { encoding: 'utf8', cwd: repoRoot });
    const first = train(['--steps', '1', '--context-repeat', '2']);
    expect(first.status, first.stderr).toBe(0);
    // The training split: every conversation not hashed into valid or test gives 3 pairs, and its last
    // reply draws on the first turn in the odd ones.
    const said = /--context-repeat 2: (\d+) of (\d+) training pairs reply with a word of the earlier turns the message lacks; each is trained on 3 times/.exec(first.stderr);
    expect(said, first.stderr).not.toBeNull();
    const [repeated, total] = [Number(said![1]), Number(said![2])];
    expect(total % 3).toBe(0);
    expect(repeated).toBeGreaterThan(0.4 * (total / 3));
    expect(repeated).toBeLessThan(0.6 * (total / 3));
    expect(first.stderr).toContain(`${total + 2 * repeated} training pairs (`);
    expect(JSON.parse(readFileSync(path.join(out, 'training', 'run.json'), 'utf8')).contextRepeat).toBe(2);
    // The shipped directory says how it was trained, without the training folder.
    expect(JSON.parse(readFileSync(path.join(out, 'config.json'), 'utf8')).contextRepeat).toEqual({ times: 2, pairs: repeated, of: total });
    const resumed = train(['--steps', '2', '--resume', '--context-repeat', '5']);
    expect(resumed.status, resumed.stderr).toBe(0);
    expect(resumed.stderr).toContain('--context-repeat ignored on --resume: the run keeps the training pairs it began with (context pairs ×3)');
    expect(resumed.stderr).toContain(`--context-repeat 2: ${repeated} of ${total} training pairs`);
    const none = train(['--steps', '1', '--context-repeat', '2', '--context-turns', '0', '--out', path.join(root, 'none')]);
    expect([none.status, none.stderr]).toEqual([2, expect.stringMatching(/--context-repeat needs earlier turns to draw on: leave out --context-turns 0/)]);
  }, 180_000);
});
