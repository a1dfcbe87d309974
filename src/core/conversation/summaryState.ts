// What is kept of a conversation's summaries, next to (never instead of) its original turns: the chain of
// summaries, newest last, each with a fingerprint of the turns it covers so that an edited history is noticed.
import { createHash } from 'node:crypto';
import type { HistoryMessage } from '../tokens/types';
import { SummaryStateError } from './errors';

/** How a summary was made: by the model, or the deterministic digest after the model failed. */
export type SummaryMethod = 'model' | 'digest';

/** One summary of turns 1..toTurn (a later one covers more: it starts from the previous one). */
export interface SummaryRecord {
  toTurn: number;
  /** The messages [0, messagesCovered) it stands for. */
  messagesCovered: number;
  /** sha256 of those messages: the summary holds only while they are unchanged. */
  fingerprint: string;
  /** The first request as the summary message keeps it. */
  firstRequest: string;
  firstRequestCut: boolean;
  /** The condensed part (the next summary starts from it). */
  body: string;
  method: SummaryMethod;
  /** Why the digest was used (the model's error, a refusal, an unusable answer). */
  fallbackReason?: string;
  /** Tokens of the covered messages as they were (X in "X -> Y tokens"). */
  tokensBefore: number;
  /** Tokens of the summary message (Y). */
  tokensAfter: number;
  /** Summarize requests made for it, failed ones included. */
  requests: number;
  /** True when the model's answer was longer than the cap and was cut (marked in the text). */
  trimmed: boolean;
  createdAt: number;
  durationMs: number;
  /** The model that wrote it, when known. */
  model?: string;
}

/** A conversation's summary state as the conversation store keeps it. */
export interface SummaryStateJSON {
  version: 1;
  /** True after Undo: no summary is made until the user asks again (resume). */
  paused: boolean;
  chain: SummaryRecord[];
}

/** The fingerprint of messages [0, count). */
export function fingerprintOf(turns: readonly HistoryMessage[], count: number): string {
  const hash = createHash('sha256');
  for (let i = 0; i < count; i++) {
    // Lengths first, so that no two different lists hash the same bytes.
    const m = turns[i];
    hash.update(`${m.role.length}:${m.role}${m.content.length}:`);
    hash.update(m.content);
  }
  return hash.digest('hex');
}

type FieldCheck = [string, (v: unknown) => boolean, string];
const isCount = (v: unknown) => Number.isSafeInteger(v) && (v as number) >= 0;
const isString = (v: unknown) => typeof v === 'string';
const RECORD_FIELDS: FieldCheck[] = [
  ['toTurn', (v) => isCount(v) && (v as number) >= 1, 'a turn number from 1'],
  ['messagesCovered', (v) => isCount(v) && (v as number) >= 1, 'a message count from 1'],
  ['fingerprint', (v) => typeof v === 'string' && /^[0-9a-f]{64}$/.test(v), 'a sha256 in hex'],
  ['firstRequest', isString, 'a string'],
  ['firstRequestCut', (v) => typeof v === 'boolean', 'true or false'],
  ['body', isString, 'a string'],
  ['method', (v) => v === 'model' || v === 'digest', "'model' or 'digest'"],
  ['fallbackReason', (v) => v === undefined || isString(v), 'a string when present'],
  ['tokensBefore', isCount, 'a token count'],
  ['tokensAfter', isCount, 'a token count'],
  ['requests', isCount, 'a request count'],
  ['trimmed', (v) => typeof v === 'boolean', 'true or false'],
  ['createdAt', (v) => typeof v === 'number' && Number.isFinite(v), 'a time in milliseconds'],
  ['durationMs', (v) => typeof v === 'number' && Number.isFinite(v) && v >= 0, 'milliseconds'],
  ['model', (v) => v === undefined || isString(v), 'a string when present'],
];

/** Checks stored state and returns a copy; throws SummaryStateError naming the first bad field. */
export function parseSummaryState(conversationId: string, data: unknown): SummaryStateJSON {
  const fail = (field: string, detail: string): never => {
    throw new SummaryStateError(conversationId, field, detail);
  };
  if (typeof data !== 'object' || data === null) return fail('the state', `is ${data === null ? 'null' : typeof data}, not an object`);
  const state = data as Record<string, unknown>;
  if (state.version !== 1) fail('version', `is ${JSON.stringify(state.version)}, expected 1`);
  if (typeof state.paused !== 'boolean') fail('paused', 'must be true or false');
  if (!Array.isArray(state.chain)) return fail('chain', 'must be a list');
  const chain = state.chain.map((raw: unknown, i): SummaryRecord => {
    if (typeof raw !== 'object' || raw === null) return fail(`chain[${i}]`, 'must be an object');
    const r = raw as Record<string, unknown>;
    for (const [field, ok, expected] of RECORD_FIELDS) if (!ok(r[field])) fail(`chain[${i}].${field}`, `is ${JSON.stringify(r[field])}, expected ${expected}`);
    const record = Object.fromEntries(RECORD_FIELDS.map(([f]) => [f, r[f]]).filter(([, v]) => v !== undefined)) as unknown as SummaryRecord;
    return record;
  });
  for (let i = 1; i < chain.length; i++) {
    if (chain[i].messagesCovered <= chain[i - 1].messagesCovered) {
      fail(`chain[${i}].messagesCovered`, `is ${chain[i].messagesCovered}, not more than the previous summary's ${chain[i - 1].messagesCovered}`);
    }
  }
  return { version: 1, paused: state.paused as boolean, chain };
}
