import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { ActiveReservation, JournalRecord } from '../../../../src/core/ledger/records';
import { LedgerState } from '../../../../src/core/ledger/state';
import { FakeClock, NOON } from './ledgerTestKit';

const owner = { pid: 1, host: 'h', start: 'wall:0' };

/** A reservation admitted at `at`, then (by `fate`) left open, committed, cancelled, refused-then-ignored or released. */
function records(i: number, at: number, user: string, fate: number, tokens: number): JournalRecord[] {
  const res: ActiveReservation = {
    id: `r${i}`,
    at,
    expiresAt: at + 1_800_000,
    user,
    conversation: 'c',
    model: 'm',
    command: 'chat',
    promptTokens: tokens,
    completionTokens: 7,
    owner,
  };
  const settled = (outcome: 'ok' | 'cancelled' | 'failed', charge: number): JournalRecord => ({
    t: 'set',
    r: {
      id: res.id,
      at,
      settledAt: at + 5,
      user,
      conversation: 'c',
      model: 'm',
      command: 'chat',
      promptTokens: charge,
      ourPromptTokens: tokens,
      completionTokens: 3,
      reservedPromptTokens: tokens,
      reservedCompletionTokens: 7,
      truncatedSections: [],
      latencyMs: 1,
      outcome,
    },
  });
  const out: JournalRecord[] = [{ t: 'res', r: res }];
  if (fate === 1) out.push(settled('ok', tokens));
  if (fate === 2) out.push(settled('cancelled', Math.floor(tokens / 2)));
  if (fate === 3) out.push({ t: 'exp', id: res.id, at: at + 9, why: 'gone' });
  return out;
}

describe('ledger: rate window sum', () => {
  it('rateTokens equals the sum of rateWindow for any mix of open, settled and released admissions', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            dt: fc.integer({ min: 0, max: 20_000 }),
            user: fc.constantFrom('a', 'b'),
            fate: fc.integer({ min: 0, max: 3 }),
            tokens: fc.integer({ min: 0, max: 5000 }),
          }),
          { maxLength: 60 },
        ),
        fc.array(fc.integer({ min: 0, max: 400_000 }), { minLength: 1, maxLength: 5 }),
        (events, probes) => {
          const state = new LedgerState(new FakeClock(NOON));
          let at = NOON;
          events.forEach((e, i) => {
            at += e.dt;
            for (const r of records(i, at, e.user, e.fate, e.tokens)) state.apply(r);
          });
          // Probe forward in time (pruning only ever drops what can no longer count).
          let now = NOON;
          for (const step of [...probes].sort((x, y) => x - y)) {
            now = NOON + step;
            for (const user of ['a', 'b']) {
              const expected = state.rateWindow(user, now).reduce((s, w) => s + w.tokens, 0);
              assert.equal(state.rateTokens(user, now), expected);
            }
          }
        },
      ),
    );
  });
});
