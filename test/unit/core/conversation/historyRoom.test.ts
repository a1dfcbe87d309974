import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { historyRoom } from '../../../../src/core/conversation/historyRoom';
import { optimizePromptWith } from '../../../../src/core/tokens/optimizer';
import { charMeter } from './kit';

describe('historyRoom', () => {
  it('gives history the user share left by the message, plus what context does not take', () => {
    const budgets = { systemTokenBudget: 0.2, userTokenBudget: 0.3, contextTokenBudget: 0.5 };
    // 4096: reserve 410, available 3686; user share 1228; context share floor(0.4 x 4096) = 1638.
    const base = { limit: 4096, completionReserve: 410, systemTokens: 100, budgets, userTokens: 64 };
    assert.equal(historyRoom({ ...base, contextTokens: 0 }), 3686 - 100 - 64);
    assert.equal(historyRoom({ ...base, contextTokens: 500 }), 3686 - 100 - 64 - 500);
    assert.equal(historyRoom({ ...base, contextTokens: 5000 }), 3686 - 100 - 64 - 1638, 'context takes at most its share');
    assert.equal(
      historyRoom({ ...base, systemTokens: 3000, userTokens: 600, contextTokens: 5000 }),
      86,
      'the guarantee (1228 - 600) is capped by what is left',
    );
    assert.equal(historyRoom({ ...base, systemTokens: 3600, userTokens: 100, contextTokens: 0 }), 0);
  });

  it('equals the history the optimizer keeps, to within one message, for any window, budgets, message and context', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 512, max: 6000 }),
        fc.tuple(fc.integer({ min: 5, max: 40 }), fc.integer({ min: 5, max: 50 }), fc.integer({ min: 10, max: 60 })),
        fc.integer({ min: 0, max: 6 }),
        fc.double({ min: 0, max: 0.1, noNaN: true }),
        fc.double({ min: 0, max: 0.1, noNaN: true }),
        fc.double({ min: 0, max: 0.6, noNaN: true }),
        (limit, [s, u, c], overhead, sysShare, userShare, ctxShare) => {
          const total = s + u + c;
          const budgets = { systemTokenBudget: s / total, userTokenBudget: u / total, contextTokenBudget: c / total };
          const meter = charMeter(1);
          const system = 'S'.repeat(Math.floor(sysShare * limit));
          const user = 'U'.repeat(Math.max(1, Math.floor(userShare * limit)));
          const context = ctxShare > 0.01 ? ['C'.repeat(Math.floor(ctxShare * limit))] : [];
          const perMessage = 1 + overhead;
          const history = Array.from({ length: Math.ceil(limit / perMessage) + 1 }, (_, i) => ({
            role: i % 2 ? ('assistant' as const) : ('user' as const),
            content: 'h',
          }));
          const plan = optimizePromptWith(meter, false, { maxTokens: limit, ...budgets }, system, user, context, { history, perMessageOverhead: overhead });
          fc.pre(!plan.truncatedSections.includes('system') && !plan.truncatedSections.includes('user'));
          const u2 = plan.tokenUsage;
          // A context chunk costs its text, the separator (2) and one token of boundary slack.
          const contextTokens = context.length > 0 ? context[0].length + 3 : 0;
          const room = historyRoom({ limit, completionReserve: u2.completionReserve, systemTokens: u2.system, budgets, userTokens: u2.user, contextTokens });
          assert.ok(u2.history <= room, `kept ${u2.history} > room ${room}`);
          assert.ok(room - u2.history < perMessage, `room ${room} - kept ${u2.history} >= one message (${perMessage})`);
        },
      ),
      { numRuns: 150 },
    );
  });
});
