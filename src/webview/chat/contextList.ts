// An answer's context list: a collapsed section under the answer naming every chunk that went into the prompt
// (file:lines, clickable, with its score) and every one that was cut, how retrieval took part, and buttons to pin
// or exclude a file for the conversation. Text goes in through textContent only; the buttons carry their command
// as data attributes, read by one delegated click handler (contextClicks).
import type { ContextCommand, ContextEntry, ContextReport } from '../../protocol/context';
import { contextSummary, cutText, emptyReason, originText, scoreReasons, scoreText, splitEntries } from './contextFormat';
import { el, textWithCode } from './views';

/** Origins whose file the user can pin or exclude (the selection's own file is the question itself). */
const CHOOSABLE = new Set<ContextEntry['origin']>(['retrieved', 'pinned', 'definition']);

/** The context list of one answer. `previous` is the list it replaces, so a redraw keeps it open when it was. */
export function renderContextReport(report: ContextReport, previous?: Element | null): HTMLElement {
  const root = el('details', 'context-list', undefined, 'context-list');
  root.dataset.retrieval = report.retrieval;
  if (previous instanceof HTMLDetailsElement && previous.open) root.open = true;
  root.append(el('summary', 'context-summary', contextSummary(report), 'context-summary'));
  const { went, cut } = splitEntries(report);
  if (went.length === 0) root.append(el('p', 'context-empty', emptyReason(report), 'context-empty'));
  else root.append(section('Went into the prompt', went, report, 'context-sent'));
  if (cut.length) root.append(section('Cut to fit the window (least relevant first)', cut, report, 'context-cut'));
  if (report.note) root.append(textWithCode('p', 'context-note', report.note, 'context-note'));
  const choices = pinsLine(report);
  if (choices) root.append(choices);
  return root;
}

function section(title: string, entries: ContextEntry[], report: ContextReport, testId: string): HTMLElement {
  const root = el('div', 'context-section', undefined, testId);
  root.append(el('div', 'context-section-title', `${title} (${entries.length})`));
  const list = el('ul', 'context-entries');
  for (const entry of entries) list.append(entryItem(entry, report));
  root.append(list);
  return root;
}

function entryItem(entry: ContextEntry, report: ContextReport): HTMLElement {
  const item = el('li', 'context-entry', undefined, 'context-entry');
  item.dataset.status = entry.status;
  item.dataset.origin = entry.origin;
  if (entry.location) {
    const open = button('context-open', entry.label, 'context-open', { contextAction: 'open', file: entry.location.file });
    open.dataset.start = String(entry.location.startLine);
    open.dataset.end = String(entry.location.endLine);
    open.title = `Open ${entry.location.file} at line ${entry.location.startLine}`;
    item.append(open);
  } else item.append(el('span', 'context-label', entry.label, 'context-label'));
  if (entry.symbols?.length) item.append(el('span', 'context-symbols', entry.symbols.slice(0, 3).join(', ')));
  item.append(el('span', `context-origin context-origin-${entry.origin}`, originText(entry)));
  if (entry.score !== undefined) {
    const score = el('span', 'context-score', `score ${scoreText(entry.score)}`, 'context-score');
    score.title = scoreReasons(entry);
    item.append(score);
  }
  const cut = cutText(entry);
  if (cut) item.append(el('span', 'context-cut-tokens', cut));
  const file = entry.location?.file;
  if (file && CHOOSABLE.has(entry.origin)) {
    const pinned = report.pinned.includes(file);
    item.append(
      button(
        'context-choice',
        pinned ? 'Unpin' : 'Pin',
        'context-pin',
        { contextAction: 'pin', file, on: String(!pinned) },
        `Always add ${file} in this conversation`,
      ),
      button('context-choice', 'Exclude', 'context-exclude', { contextAction: 'exclude', file, on: 'true' }, `Never retrieve ${file} in this conversation`),
    );
  }
  return item;
}

/** "Pinned: a.ts (Unpin) · Excluded: b.ts (Include)": the conversation's choices, each undoable. */
function pinsLine(report: ContextReport): HTMLElement | undefined {
  if (!report.pinned.length && !report.excluded.length) return undefined;
  const root = el('div', 'context-pins', undefined, 'context-pins');
  for (const file of report.pinned) {
    root.append(
      el('span', 'context-pin-label', `Pinned: ${file}`),
      button('context-choice', 'Unpin', 'context-unpin', { contextAction: 'pin', file, on: 'false' }),
    );
  }
  for (const file of report.excluded) {
    root.append(
      el('span', 'context-pin-label', `Excluded: ${file}`),
      button('context-choice', 'Include', 'context-include', { contextAction: 'exclude', file, on: 'false' }),
    );
  }
  return root;
}

function button(className: string, text: string, testId: string, data: Record<string, string>, title?: string): HTMLButtonElement {
  const b = el('button', className, text, testId);
  b.type = 'button';
  Object.assign(b.dataset, data);
  if (title) b.title = title;
  return b;
}

/** The command a context-list button stands for, or undefined for any other click. */
export function contextCommandOf(target: EventTarget | null): ContextCommand | undefined {
  const b = target instanceof Element ? target.closest<HTMLElement>('[data-context-action]') : null;
  const file = b?.dataset.file;
  if (!b || !file) return undefined;
  switch (b.dataset.contextAction) {
    case 'open':
      return { type: 'openContext', location: { file, startLine: Number(b.dataset.start), endLine: Number(b.dataset.end) } };
    case 'pin':
      return { type: 'pinContextFile', file, pinned: b.dataset.on === 'true' };
    case 'exclude':
      return { type: 'excludeContextFile', file, excluded: b.dataset.on === 'true' };
    default:
      return undefined;
  }
}

/** One delegated click handler for every context list in the panel. */
export function contextClicks(post: (command: ContextCommand) => void): (event: MouseEvent) => void {
  return (event) => {
    const command = contextCommandOf(event.target);
    if (command) post(command);
  };
}
