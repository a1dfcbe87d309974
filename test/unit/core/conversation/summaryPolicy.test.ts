import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { ConfigurationError } from '../../../../src/core/errors';
import { decide, summaryCapOf, validateThreshold, type PolicyInput } from '../../../../src/core/conversation/summaryPolicy';
import type { HistoryMessage } from '../../../../src/core/tokens/types';
import { sized } from './kit';

const input = (costs: number[], extra: Partial<PolicyInput> = {}): PolicyInput => ({
  turns: sized(costs),
  costs,
  room: 1000,
  threshold: 0.75,
  covered: 0,
  summaryTokens: 0,
  newSummaryTokens: 200,
  ...extra,
});

describe('summary policy', () => {
  it('waits below the threshold and says by how much', () => {
    assert.deepEqual(decide(input(Array(14).fill(50))), { action: 'wait', reason: 'below-threshold', historyTokens: 700, triggerTokens: 750 });
  });

  it('at the threshold, condenses the oldest turns so that the summary and the kept turns take half the room', () => {
    // 10 pairs of 40 + 40: 800 >= 750. Keep budget 500 - 200 = 300: the newest 3 pairs (240) stay whole.
    assert.deepEqual(decide(input(Array(20).fill(40))), {
      action: 'summarize',
      from: 0,
      to: 14,
      historyTokens: 800,
      triggerTokens: 750,
      keptTokens: 240,
      coveredTokens: 560,
      expectedTokens: 440,
    });
  });

  it('counts the summary in force and condenses from where it ends (chaining)', () => {
    // A summary of 150 covers messages 0-7; 12 more messages of 40: 150 + 480 = 630 < 750.
    assert.equal(decide(input(Array(20).fill(40), { covered: 8, summaryTokens: 150 })).action, 'wait');
    const d = decide(input(Array(24).fill(40), { covered: 8, summaryTokens: 150 }));
    assert.deepEqual(d, {
      action: 'summarize',
      from: 8,
      to: 18,
      historyTokens: 790,
      triggerTokens: 750,
      keptTokens: 240,
      coveredTokens: 720,
      expectedTokens: 440,
    });
  });

  it('cuts only where a request starts, never between a request and its answer', () => {
    // The answers are large: keeping the last 300 tokens exactly would cut after the request of pair 8.
    const costs = [10, 200, 10, 200, 10, 200, 10, 200, 10, 150, 10, 150];
    const d = decide(input(costs));
    assert.equal(d.action, 'summarize');
    assert.ok(d.action === 'summarize');
    assert.equal(d.to, 10, 'the newest pair (160) fits the 300 budget; the one before would make 320');
    assert.equal(input(costs).turns[d.to].role, 'user');
  });

  it('keeps the newest turn whole even when it alone is over the budget', () => {
    const d = decide(input([100, 100, 100, 100, 50, 450]));
    assert.ok(d.action === 'summarize');
    assert.deepEqual([d.from, d.to, d.keptTokens], [0, 4, 500]);
  });

  it('keeps a trailing request that has no answer yet', () => {
    const costs = [...Array(20).fill(40), 40];
    const d = decide(input(costs));
    assert.ok(d.action === 'summarize');
    assert.equal(d.to, 14, 'the unanswered request and the three pairs before it (280) fit; a fourth pair would make 360');
    assert.equal(d.keptTokens, 280);
  });

  it('waits when there is nothing to gain or no place to cut', () => {
    assert.deepEqual(decide(input([400, 400])), { action: 'wait', reason: 'nothing-to-summarize', historyTokens: 800, triggerTokens: 750 });
    // Condensing 90 tokens into a summary of up to 200 gains nothing.
    assert.deepEqual(decide(input([30, 60, 300, 400], { newSummaryTokens: 200 })), {
      action: 'wait',
      reason: 'no-gain',
      historyTokens: 790,
      triggerTokens: 750,
    });
    assert.equal((decide(input([40, 40], { room: 0 })) as { reason: string }).reason, 'no-room');
  });

  it('rejects inconsistent input with the numbers', () => {
    assert.throws(() => decide({ ...input([1, 2]), costs: [1] }), /1 costs for 2 messages/);
    assert.throws(() => decide(input([1, 2], { covered: 3 })), /covered 3 is outside 0-2/);
  });

  it('for any conversation: the cut is at a request, after the summarized part, before the newest turn', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 300 }), { minLength: 1, maxLength: 60 }),
        fc.integer({ min: 100, max: 4000 }),
        fc.integer({ min: 0, max: 400 }),
        fc.double({ min: 0.5, max: 0.95, noNaN: true }),
        (costs, room, newSummaryTokens, threshold) => {
          const turns: HistoryMessage[] = sized(costs);
          const d = decide({ turns, costs, room, threshold, covered: 0, summaryTokens: 0, newSummaryTokens });
          const total = costs.reduce((a, b) => a + b, 0);
          if (d.action === 'wait') {
            if (d.reason === 'below-threshold') assert.ok(total < threshold * room);
            return;
          }
          const lastStart = turns.map((m) => m.role).lastIndexOf('user');
          assert.equal(turns[d.to].role, 'user');
          assert.ok(d.to > d.from && d.to <= lastStart);
          assert.equal(
            d.keptTokens,
            costs.slice(d.to).reduce((a, b) => a + b, 0),
          );
          assert.equal(d.coveredTokens + d.keptTokens, total);
          assert.ok(d.expectedTokens <= 0.5 * room || d.to === lastStart, 'within the keep share, unless only the newest turn is left');
          assert.ok(d.coveredTokens > newSummaryTokens, 'a summary always saves tokens');
        },
      ),
      { numRuns: 300 },
    );
  });

  it('checks therapist.summarize.threshold without clamping', () => {
    assert.equal(validateThreshold(0.5), 0.5);
    assert.equal(validateThreshold(0.95), 0.95);
    for (const bad of [0.49, 0.951, Number.NaN, '0.75', undefined]) {
      assert.throws(
        () => validateThreshold(bad),
        (e: unknown) => e instanceof ConfigurationError && e.setting === 'therapist.summarize.threshold' && /a number from 0.5 to 0.95/.test(e.message),
      );
    }
  });

  it('caps a summary at a fifth of the room, 1024 tokens, and the answer the summarize model may give', () => {
    assert.equal(summaryCapOf(3000, 4096), 410, "4096's answer reserve is 410");
    assert.equal(summaryCapOf(1500, 32768), 300);
    assert.equal(summaryCapOf(100000, 32768), 1024);
  });
});
