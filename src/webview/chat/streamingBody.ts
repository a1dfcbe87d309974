// The body of an answer while it streams. Tokens are appended to a string; drawing happens at most once
// per animation frame. Completed markdown blocks are rendered once and frozen; only the unfinished
// tail is re-rendered each frame, so a long answer does not get slower to stream as it grows.
import { stableSplit } from './format';
import { renderMarkdown } from './markdown';
import { decorateCodeBlock, el } from './views';

export class StreamingBody {
  private text: string;
  private frozenUpTo = 0;
  private scheduled = false;
  private finished = false;
  private draws = 0;
  private readonly frozen = el('div', 'md-frozen');
  private readonly tail = el('div', 'md-tail');

  constructor(
    private readonly body: HTMLElement,
    initialText: string,
    private readonly onDrawn: () => void,
  ) {
    this.text = initialText;
    body.replaceChildren(this.frozen, this.tail);
    body.dataset.streaming = 'true';
    this.schedule();
  }

  append(chunk: string): void {
    if (this.finished || !chunk) return;
    this.text += chunk;
    this.schedule();
  }

  /** Renders the final text once, whole (the frozen blocks were an optimization, not the truth). */
  finish(finalText: string): void {
    this.finished = true;
    this.text = finalText;
    delete this.body.dataset.streaming;
    this.body.replaceChildren(renderMarkdown(finalText, decorateCodeBlock));
    this.onDrawn();
  }

  get currentText(): string {
    return this.text;
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    requestAnimationFrame(() => this.draw());
  }

  private draw(): void {
    this.scheduled = false;
    if (this.finished) return;
    const split = stableSplit(this.text);
    if (split > this.frozenUpTo) {
      this.frozen.append(renderMarkdown(this.text.slice(this.frozenUpTo, split), decorateCodeBlock));
      this.frozenUpTo = split;
    }
    this.tail.replaceChildren(renderMarkdown(this.text.slice(this.frozenUpTo), decorateCodeBlock));
    // Exposed for the UI tests: proves tokens are drawn per frame, not per token.
    this.body.dataset.draws = String(++this.draws);
    this.onDrawn();
  }
}
