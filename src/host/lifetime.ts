// Named disposal lifetimes (as rust-analyzer's ctx.ts has): what lives as long as the extension goes into
// context.subscriptions; what lives as long as one webview panel goes into that panel's Lifetime, ended when the
// panel closes, so a panel opened again does not keep the listeners of the one before. No `vscode` import.

/** Anything that can be disposed (vscode.Disposable has this shape). */
export interface DisposableLike {
  dispose(): unknown;
}

/** A group of disposables that end together. */
export class Lifetime implements DisposableLike {
  private items: DisposableLike[] = [];
  private ended = false;

  constructor(readonly name: string) {}

  /** Adds disposables to this lifetime (disposed at once if it already ended); returns the first for chaining. */
  add<T extends DisposableLike>(first: T, ...rest: DisposableLike[]): T {
    for (const item of [first, ...rest]) {
      if (this.ended) item.dispose();
      else this.items.push(item);
    }
    return first;
  }

  /** The array VS Code's event APIs push their disposables into (`onDidX(listener, this, lifetime.bucket)`). */
  get bucket(): DisposableLike[] {
    return this.items;
  }

  get size(): number {
    return this.items.length;
  }

  /** Disposes everything, newest first; errors from one item do not keep the others alive. */
  dispose(): void {
    this.ended = true;
    const items = this.items.reverse();
    this.items = [];
    for (const item of items) {
      try {
        item.dispose();
      } catch {
        // A listener that fails to detach is gone with its panel anyway.
      }
    }
  }
}
