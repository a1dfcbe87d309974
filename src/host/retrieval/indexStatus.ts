// What the index's status bar item says, and which notices the user is shown with a button to the setting that
// lifts the limit. Pure: the host's status bar and message adapters draw it.
import type { IndexNotice, IndexNoticeCode, IndexProgress } from '../../core/context/retrieval';
import type { SettingKey } from '../../core/config';
import { formatCount } from '../../shared/format';

/** What the workspace index is doing. */
export type IndexActivity =
  | { kind: 'off' }
  | { kind: 'listing'; folders: number }
  | { kind: 'working'; progress: IndexProgress }
  | { kind: 'ready'; files: number; chunks: number }
  | { kind: 'cancelled'; files: number }
  | { kind: 'failed'; message: string };

export interface IndexStatusView {
  visible: boolean;
  text: string;
  tooltip: string;
  /** Clicking stops the running job. */
  cancellable: boolean;
  warning: boolean;
}

const PHASE_WORDS: Record<IndexProgress['phase'], string> = {
  loading: 'Loading index',
  scanning: 'Scanning files',
  chunking: 'Indexing',
  embedding: 'Embedding',
  persisting: 'Saving index',
  idle: 'Index ready',
};

/** The status bar item for an activity: shown while the index works or when it needs attention, hidden when ready. */
export function indexStatusView(a: IndexActivity): IndexStatusView {
  switch (a.kind) {
    case 'off':
      return { visible: false, text: '', tooltip: '', cancellable: false, warning: false };
    case 'listing':
      return {
        visible: true,
        text: '$(sync~spin) Listing files',
        tooltip: `Therapist: listing the files of ${a.folders === 1 ? 'the workspace' : `${a.folders} workspace folders`} for the index. Click to stop.`,
        cancellable: true,
        warning: false,
      };
    case 'working': {
      const p = a.progress;
      const count = p.total > 0 && p.phase !== 'persisting' && p.phase !== 'loading' ? ` ${formatCount(p.done)}/${formatCount(p.total)}` : '';
      const unit = p.phase === 'embedding' ? 'chunks' : 'files';
      return {
        visible: true,
        text: `$(sync~spin) ${PHASE_WORDS[p.phase]}${count}`,
        tooltip: `Therapist workspace index: ${PHASE_WORDS[p.phase].toLowerCase()}${count ? ` (${count.trim()} ${unit})` : ''}; ${formatCount(p.files)} files, ${formatCount(p.chunks)} chunks so far. Search works meanwhile. Click to stop.`,
        cancellable: true,
        warning: false,
      };
    }
    case 'ready':
      return {
        visible: false,
        text: '$(database) Index ready',
        tooltip: `Therapist workspace index: ${formatCount(a.files)} files, ${formatCount(a.chunks)} chunks.`,
        cancellable: false,
        warning: false,
      };
    case 'cancelled':
      return {
        visible: true,
        text: '$(debug-pause) Index stopped',
        tooltip: `Therapist: indexing was stopped with ${formatCount(a.files)} files indexed; search uses those. Click to rebuild (Therapist: Rebuild Workspace Index).`,
        cancellable: false,
        warning: true,
      };
    case 'failed':
      return {
        visible: true,
        text: '$(warning) Index failed',
        tooltip: `Therapist workspace index: ${a.message} Click to rebuild.`,
        cancellable: false,
        warning: true,
      };
  }
}

const PRIORITY: Record<IndexActivity['kind'], number> = { working: 5, listing: 4, failed: 3, cancelled: 2, ready: 1, off: 0 };

/** One status for several folders: the busiest (or most troubled) folder's, with the ready ones' sizes summed. */
export function combineActivities(activities: readonly IndexActivity[]): IndexActivity {
  if (activities.length === 0) return { kind: 'off' };
  const top = activities.reduce((a, b) => (PRIORITY[b.kind] > PRIORITY[a.kind] ? b : a));
  if (top.kind !== 'ready') return top;
  const ready = activities.filter((a): a is Extract<IndexActivity, { kind: 'ready' }> => a.kind === 'ready');
  return { kind: 'ready', files: ready.reduce((n, a) => n + a.files, 0), chunks: ready.reduce((n, a) => n + a.chunks, 0) };
}

/** The setting that lifts each limit (the core's notices name its options; the user changes these). */
const LIMIT_SETTINGS: Partial<Record<IndexNoticeCode, SettingKey>> = {
  'file-too-large': 'retrieval.maxFileSizeKb',
  'too-many-files': 'retrieval.maxFiles',
  'total-bytes-limit': 'retrieval.maxIndexMb',
  'chunk-limit': 'retrieval.maxChunks',
  'disk-limit': 'retrieval.maxDiskMb',
};

/** Notices shown as a message (once per code and session); the rest go to the log only. */
const SHOWN: ReadonlySet<IndexNoticeCode> = new Set(['too-many-files', 'total-bytes-limit', 'chunk-limit', 'disk-limit', 'persist-failed', 'worker-stopped']);

/** How the user hears of a notice: a message with a button to its setting, or only the log. */
export function noticePresentation(n: IndexNotice): { show: boolean; text: string; setting?: SettingKey } {
  const setting = LIMIT_SETTINGS[n.code];
  const raise = setting ? ` To index more, raise therapist.${setting}.` : ` ${n.advice}`;
  return { show: SHOWN.has(n.code), text: `Therapist workspace index: ${n.message}${raise}`, setting };
}
