/**
 * The SDK's endpoint cache without mnemonist (issue 9 §4, cold start).
 *
 * `@aws-sdk/endpoint-cache` (DynamoDB's endpoint discovery, created with every DynamoDB client)
 * imports `mnemonist/lru-cache`, which brings mnemonist's typed-array and iterator helpers: ~7 KB
 * of every bundle that holds a DynamoDB client, for a cache that endpoint discovery (off by default,
 * never turned on here) leaves empty. `evcsBundling` aliases that import to this file
 * (SDK_ALIASES): the same API the EndpointCache calls (constructor(capacity), get, peek, has, set,
 * clear, size), least recently used first out, on a Map's insertion order.
 */
export default class LRUCache<K, V> {
  readonly capacity: number;
  private readonly items = new Map<K, V>();

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity <= 0) throw new Error('LRUCache: capacity should be a positive integer');
    this.capacity = capacity;
  }

  get size(): number {
    return this.items.size;
  }

  has(key: K): boolean {
    return this.items.has(key);
  }

  /** the value without making it the most recently used */
  peek(key: K): V | undefined {
    return this.items.get(key);
  }

  /** the value, now the most recently used */
  get(key: K): V | undefined {
    if (!this.items.has(key)) return undefined;
    const value = this.items.get(key) as V;
    this.items.delete(key);
    this.items.set(key, value);
    return value;
  }

  /** stores `value` as the most recently used; the least recently used leaves when full */
  set(key: K, value: V): this {
    this.items.delete(key);
    this.items.set(key, value);
    if (this.items.size > this.capacity) {
      const oldest = this.items.keys().next();
      if (!oldest.done) this.items.delete(oldest.value);
    }
    return this;
  }

  clear(): void {
    this.items.clear();
  }
}
