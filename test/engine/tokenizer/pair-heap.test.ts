import { describe, expect, it } from 'vitest';
import { PairHeap } from '../../../engine/tokenizer/pair-heap.ts';

describe('PairHeap', () => {
  it('pops the highest count first, ties to the smaller key', () => {
    const heap = new PairHeap<string>();
    const entries = [[3, 9], [7, 2], [3, 1], [10, 5], [7, 1], [1, 0], [3, 4]].map(([count, key]) => ({ pair: `${count}/${key}`, count: count!, key: key! }));
    for (const e of entries) heap.push(e);
    expect(heap.size).toBe(entries.length);
    const popped: string[] = [];
    for (let e = heap.pop(); e; e = heap.pop()) popped.push(e.pair);
    expect(popped).toEqual(['10/5', '7/1', '7/2', '3/1', '3/4', '3/9', '1/0']);
    expect(heap.pop()).toBeUndefined();
  });

  it('keeps heap order through interleaved pushes and pops', () => {
    const heap = new PairHeap<number>();
    const reference: number[] = [];
    let seed = 11;
    for (let i = 0; i < 2000; i++) {
      seed = (seed * 48271) % 2147483647;
      if (seed % 3 === 0 && reference.length > 0) {
        reference.sort((a, b) => b - a);
        expect(heap.pop()!.count).toBe(reference.shift());
      } else {
        const count = seed % 100;
        reference.push(count);
        heap.push({ pair: count, count, key: i });
      }
    }
  });
});
