// A binary max-heap of symbol pairs for BPE training, keyed by the pair count recorded when the entry
// was pushed (entries go stale as counts change; the trainer re-checks them on pop). Ties go to the
// smaller pair key, which makes training deterministic.

export interface PairEntry<P> {
  pair: P;
  count: number;
  key: number;
}

function before<P>(x: PairEntry<P>, y: PairEntry<P>): boolean {
  return x.count > y.count || (x.count === y.count && x.key < y.key);
}

export class PairHeap<P> {
  private readonly items: PairEntry<P>[] = [];

  get size(): number {
    return this.items.length;
  }

  push(entry: PairEntry<P>): void {
    const items = this.items;
    let i = items.length;
    items.push(entry);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(entry, items[parent]!)) break;
      items[i] = items[parent]!;
      i = parent;
    }
    items[i] = entry;
  }

  pop(): PairEntry<P> | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (top === undefined || last === undefined || items.length === 0) return top;
    let i = 0;
    const n = items.length;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) break;
      const right = left + 1;
      const child = right < n && before(items[right]!, items[left]!) ? right : left;
      if (!before(items[child]!, last)) break;
      items[i] = items[child]!;
      i = child;
    }
    items[i] = last;
    return top;
  }
}
