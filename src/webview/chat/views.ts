// DOM builders for the pieces of the chat panel. Text always goes in through textContent; the only
// HTML is the sanitized markdown fragment. Stable `data-testid`s are the contract with the UI tests
// (listed in docs/usage.md#for-test-authors).
import type { ChatAction, ChatErrorInfo, TokenBreakdown } from '../../protocol/chat';
import { formatCount } from '../../shared/format';
import { noticeText, type ServerCutNotice, type TruncatedNotice } from '../../shared/notices';
import { meterAriaLabel, meterLevel, meterSegments, meterSplitText, meterSummary, splitInlineCode, truncationDetails } from './format';

/** Creates an element with a class, optional test id and text. */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, text?: string, testId?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  if (testId) node.dataset.testid = testId;
  return node;
}

/** Plain text with `code` spans, built from text nodes (never HTML). */
export function textWithCode<K extends keyof HTMLElementTagNameMap>(tag: K, className: string, text: string, testId?: string): HTMLElementTagNameMap[K] {
  const node = el(tag, className, undefined, testId);
  for (const part of splitInlineCode(text)) node.append(part.code ? el('code', 'inline-code', part.text) : document.createTextNode(part.text));
  return node;
}

/** A token meter: bar with one segment per section, "used / limit", the per-section split, and the estimate label. */
export function renderMeter(b: TokenBreakdown, testId: string, compact = false): HTMLElement {
  const root = el('div', `meter${compact ? ' meter-compact' : ''}`, undefined, testId);
  root.dataset.level = meterLevel(b);
  root.dataset.estimated = String(b.estimated);
  const bar = el('div', 'meter-bar');
  bar.setAttribute('role', 'img');
  bar.setAttribute('aria-label', meterAriaLabel(b));
  for (const segment of meterSegments(b)) {
    if (segment.fraction <= 0) continue;
    const part = el('span', `meter-seg meter-seg-${segment.section}`);
    // CSSOM writes are allowed by the CSP (style attributes in markup are not).
    part.style.width = `${(segment.fraction * 100).toFixed(2)}%`;
    part.title = `${segment.label}: ${formatCount(segment.tokens)} tokens`;
    bar.append(part);
  }
  const line = el('div', 'meter-line');
  line.append(el('span', 'meter-summary', meterSummary(b), 'meter-summary'));
  if (b.estimated) line.append(el('span', 'meter-estimate', '≈ estimate', 'meter-estimate'));
  // Which tokenizer counted: the model's own ("qwen2 (exact)") or the cl100k fallback ("cl100k estimate x1.02").
  if (b.tokenizer) {
    if (compact) root.title = `Counted with ${b.tokenizer}`;
    else line.append(el('span', 'meter-tokenizer', `counted with ${b.tokenizer}`, 'meter-tokenizer'));
  }
  const split = el('div', 'meter-split', undefined, 'meter-split');
  for (const segment of meterSegments(b)) {
    const item = el('span', 'meter-split-item');
    item.append(el('span', `meter-swatch meter-seg-${segment.section}`), document.createTextNode(`${segment.label} ${formatCount(segment.tokens)}`));
    split.append(item);
  }
  split.setAttribute('aria-label', meterSplitText(b));
  root.append(bar, line, split);
  return root;
}

/** The notice shown on a message whose prompt was cut. Never collapsed away: the facts stay visible. */
export function renderTruncationNotice(notice: TruncatedNotice): HTMLElement {
  const root = el('div', 'notice notice-warning', undefined, 'truncation-warning');
  root.setAttribute('role', 'alert');
  const title = notice.window
    ? `Part of this prompt was cut to fit the ${formatCount(notice.window)}-token window`
    : 'Part of this prompt was cut to fit the window';
  root.append(el('div', 'notice-title', title));
  root.append(el('p', 'notice-text', noticeText(notice), 'truncation-text'));
  const details = truncationDetails(notice);
  if (details.length) {
    const list = el('ul', 'notice-details', undefined, 'truncation-details');
    for (const line of details) list.append(el('li', undefined, line));
    root.append(list);
  }
  return root;
}

export function renderServerTruncationNotice(notice: ServerCutNotice): HTMLElement {
  const root = el('div', 'notice notice-warning', undefined, 'server-truncation-warning');
  root.setAttribute('role', 'alert');
  root.append(el('div', 'notice-title', 'Ollama may have cut this prompt'));
  root.append(textWithCode('p', 'notice-text', noticeText(notice)));
  if (notice.evaluatedTokens !== undefined) {
    root.append(el('p', 'notice-facts', `Sent ${formatCount(notice.sentTokens)} tokens; the model read ${formatCount(notice.evaluatedTokens)}.`));
  }
  return root;
}

const ACTION_LABELS: Record<ChatAction, string> = {
  retry: 'Retry',
  openSettings: 'Open Settings',
  openLog: 'Open Log',
  copyPullCommand: 'Copy pull command',
  newConversation: 'New conversation',
};

/** An inline error card with one button per action; buttons carry `data-action` for the click handler. */
export function renderErrorCard(error: ChatErrorInfo, messageId: string | undefined): HTMLElement {
  const root = el('div', 'error-card', undefined, 'error-card');
  root.setAttribute('role', 'alert');
  root.dataset.code = error.code;
  root.append(textWithCode('div', 'error-message', error.message, 'error-message'));
  if (error.advice) root.append(textWithCode('p', 'error-advice', error.advice, 'error-advice'));
  if (error.pullCommand) root.append(el('code', 'error-command', error.pullCommand));
  const actions = el('div', 'error-actions');
  error.actions.forEach((action, i) => {
    const button = el('button', i === 0 ? 'button-primary' : 'button-secondary', ACTION_LABELS[action], `action-${action}`);
    button.type = 'button';
    button.dataset.action = action;
    if (messageId) button.dataset.messageId = messageId;
    actions.append(button);
  });
  root.append(actions);
  return root;
}

/** Adds the toolbar (language, Copy, Insert at cursor) above a sanitized code block. */
export function decorateCodeBlock(pre: HTMLPreElement): void {
  const wrapper = el('div', 'code-block', undefined, 'code-block');
  const toolbar = el('div', 'code-toolbar');
  toolbar.append(el('span', 'code-lang', pre.dataset.lang || 'text'));
  const copy = el('button', 'code-button', 'Copy', 'copy-code');
  copy.type = 'button';
  copy.dataset.codeAction = 'copy';
  const insert = el('button', 'code-button', 'Insert at cursor', 'insert-code');
  insert.type = 'button';
  insert.dataset.codeAction = 'insert';
  toolbar.append(copy, insert);
  pre.replaceWith(wrapper);
  wrapper.append(toolbar, pre);
}
