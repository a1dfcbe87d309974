import type { RequestRecord } from './types';
import type { ProcessIdentity } from './processIdentity';

/** An admitted, not yet settled request, as the journal stores it. */
export interface ActiveReservation {
  id: string;
  at: number;
  expiresAt: number;
  user: string;
  conversation: string;
  model: string;
  command: string;
  promptTokens: number;
  completionTokens: number;
  owner: ProcessIdentity;
}

/** Requests older than the retention window, folded per local day, user, conversation, model and command. */
export interface Rollup {
  day: string;
  user: string;
  conversation: string;
  model: string;
  command: string;
  promptTokens: number;
  completionTokens: number;
  requests: number;
  lastAt: number;
}

/**
 * One journal line. `hdr` starts every file; `res` admits; `set` settles (commit, cancel, rollback, or a
 * late settle after expiry); `exp` releases an unsettled reservation; `ref` logs a refusal; `req` and
 * `roll` are what compaction writes for requests it keeps and folds.
 */
export type JournalRecord =
  | { t: 'hdr'; v: 1; created: number }
  | { t: 'res'; r: ActiveReservation }
  | { t: 'set'; r: RequestRecord }
  | { t: 'exp'; id: string; at: number; why: string }
  | { t: 'ref'; r: RequestRecord }
  | { t: 'req'; r: RequestRecord }
  | { t: 'roll'; r: Rollup };

const KINDS = new Set(['hdr', 'res', 'set', 'exp', 'ref', 'req', 'roll']);

/** Parses one line; undefined when it is not a record this version understands. */
export function parseRecord(line: string): JournalRecord | undefined {
  try {
    const rec = JSON.parse(line) as JournalRecord;
    return rec && typeof rec === 'object' && KINDS.has(rec.t) ? rec : undefined;
  } catch {
    return undefined;
  }
}

/** The tokens a settled request is charged: the model's own counts. */
export function chargeOf(r: RequestRecord): number {
  return r.promptTokens + r.completionTokens;
}
