/**
 * A least-recently-used cache of token counts (or per-class counts) keyed by the text itself, bounded by the total number of
 * characters it keeps alive (the keys are the memory). A conversation is re-counted on every turn and the
 * panel meter on every keystroke; with this cache only the text that changed is tokenized again.
 */
export class CountCache<V = number> {
  private readonly entries = new Map<string, V>();
  private chars = 0;
  hits = 0;
  misses = 0;

  /** `maxChars`: total characters of cached texts; texts longer than a quarter of it are not cached. */
  constructor(readonly maxChars: number) {}

  /** The cached count of `text`, or undefined. A hit makes the entry the most recently used. */
  get(text: string): V | undefined {
    const count = this.entries.get(text);
    if (count === undefined) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    // Map iteration order is insertion order: re-inserting moves the entry to the young end.
    this.entries.delete(text);
    this.entries.set(text, count);
    return count;
  }

  /** Remembers the count of `text`, evicting the least recently used entries beyond the bound. */
  set(text: string, count: V): void {
    if (text.length > this.maxChars / 4 || this.entries.has(text)) return;
    this.entries.set(text, count);
    this.chars += text.length;
    for (const oldest of this.entries.keys()) {
      if (this.chars <= this.maxChars) break;
      this.entries.delete(oldest);
      this.chars -= oldest.length;
    }
  }

  /** Number of cached texts. */
  get size(): number {
    return this.entries.size;
  }

  /** Total characters held by the cached texts. */
  get totalChars(): number {
    return this.chars;
  }

  clear(): void {
    this.entries.clear();
    this.chars = 0;
  }
}
