/** A binary min-heap by a numeric key: push and pop O(log n), the least at `peek()`. */
export class MinHeap<T> {
  private items: T[] = [];

  constructor(private readonly key: (item: T) => number) {}

  get size(): number {
    return this.items.length;
  }

  peek(): T | undefined {
    return this.items[0];
  }

  push(item: T): void {
    const h = this.items;
    const k = this.key(item);
    let i = h.push(item) - 1;
    while (i > 0) {
      const up = (i - 1) >> 1;
      const parent = h[up] as T;
      if (this.key(parent) <= k) break;
      h[i] = parent;
      i = up;
    }
    h[i] = item;
  }

  pop(): T | undefined {
    const h = this.items;
    const top = h[0];
    const last = h.pop();
    if (h.length === 0 || last === undefined) return top;
    const k = this.key(last);
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= h.length) break;
      const r = l + 1;
      const c = r < h.length && this.key(h[r] as T) < this.key(h[l] as T) ? r : l;
      const child = h[c] as T;
      if (this.key(child) >= k) break;
      h[i] = child;
      i = c;
    }
    h[i] = last;
    return top;
  }

  /** keep only the items `keep` accepts (dropping stale entries in bulk) */
  retain(keep: (item: T) => boolean): void {
    this.reset(this.items.filter(keep));
  }

  /** replace every item (sorted by key: a sorted array is a heap) */
  reset(items: readonly T[] = []): void {
    this.items = [...items].sort((a, b) => this.key(a) - this.key(b));
  }
}
