// The conversation's summary, above the messages: "Earlier turns summarized (N turns, X -> Y tokens)" with Show
// summary (the text as it was sent, rendered as safely as an answer: a model wrote it) and Undo; after Undo, a note
// and "Summarize again". The words of the one-line notice are shared/notices.ts's.
import type { SummaryView, WebviewToHost } from '../../protocol/chat';
import { noticeText } from '../../shared/notices';
import { renderMarkdown } from './markdown';
import { decorateCodeBlock, el } from './views';

/** Draws the banner for `view` into `root` (empty when the conversation has no summary). */
export function renderSummaryBanner(root: HTMLElement, view: SummaryView | undefined, post: (m: WebviewToHost) => void): void {
  // A newer summary arriving while the user reads the old one keeps the section open (showing the newer one).
  const wasOpen = root.querySelector<HTMLDetailsElement>('[data-testid="summary-details"]')?.open ?? false;
  root.replaceChildren();
  root.hidden = !view;
  if (!view) return;
  if (view.paused) {
    root.append(
      el('span', 'summary-text', 'Undone: the earlier turns are sent in full again, as many as fit, and no new summary is made.', 'summary-text'),
      button('Summarize again', 'summary-resume', () => post({ type: 'resumeSummary' })),
    );
    return;
  }
  const line = noticeText({ kind: 'summarized', turns: view.turns, tokensBefore: view.tokensBefore, tokensAfter: view.tokensAfter, method: view.method });
  const text = el('span', 'summary-text', view.summarizing ? `${line} A newer summary is being prepared.` : line, 'summary-text');
  const details = el('details', 'summary-details', undefined, 'summary-details');
  const summary = el('summary', 'summary-show', 'Show summary', 'summary-show');
  const body = el('div', 'summary-body markdown', undefined, 'summary-body');
  details.append(summary, body);
  // Rendered on first open only: a long summary costs nothing until someone reads it.
  details.addEventListener('toggle', () => {
    if (details.open && !body.hasChildNodes()) {
      body.append(renderMarkdown(view.text, decorateCodeBlock));
      if (view.fallbackReason) body.append(el('p', 'summary-why', `Written as a digest: ${view.fallbackReason}`));
    }
  });
  root.append(
    text,
    button('Undo', 'summary-undo', () => post({ type: 'undoSummary' })),
    details,
  );
  if (wasOpen) details.open = true;
}

function button(label: string, testId: string, onClick: () => void): HTMLButtonElement {
  const b = el('button', 'summary-button', label, testId);
  b.type = 'button';
  b.addEventListener('click', onClick);
  return b;
}
