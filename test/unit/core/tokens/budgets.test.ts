import assert from 'node:assert/strict';
import { ConfigurationError, TherapistError } from '../../../../src/core/errors';
import { budgetShares, validateBudgets, validateCalibration, validateCompletionReserve } from '../../../../src/core/tokens/budgets';
import { TokenCounter } from '../../../../src/tokenCounter';
import { CodePointTokenizer } from './fakeTokenizer';

function budgetError(fn: () => unknown): ConfigurationError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ConfigurationError, `expected ConfigurationError, got ${String(err)}`);
    assert.ok(err instanceof TherapistError);
    return err;
  }
  assert.fail('expected a ConfigurationError');
}

describe('token budgets', function () {
  it('splits the default window: 0.2 system, 0.3 user, 0.4 context, 0.1 answer', function () {
    const shares = budgetShares({ maxTokens: 8192, systemTokenBudget: 0.2, userTokenBudget: 0.3, contextTokenBudget: 0.5 });
    assert.deepEqual(shares, { limit: 8192, completionReserve: 820, available: 7372, system: 1638, user: 2457, context: 3276 });
  });

  it('honours an answer reserve override and rejects one that leaves no room', function () {
    const settings = { maxTokens: 1000, systemTokenBudget: 0.2, userTokenBudget: 0.3, contextTokenBudget: 0.5 };
    assert.equal(budgetShares(settings, 50).available, 950);
    const err = budgetError(() => validateCompletionReserve(1000, 1000));
    assert.equal(err.setting, 'completionReserve');
    assert.equal(err.validRange, 'an integer from 0 to 999 (below the 1000-token window)');
  });

  it('names the bad value and the valid range, and never clamps', function () {
    const max = budgetError(() => new TokenCounter(0));
    assert.equal(max.setting, 'therapist.maxTokens');
    assert.equal(max.value, 0);
    assert.match(max.message, /therapist\.maxTokens = 0: must be a positive integer/);
    assert.equal(budgetError(() => new TokenCounter(100.5)).setting, 'therapist.maxTokens');
    const frac = budgetError(() => new TokenCounter(8192, 1.2));
    assert.deepEqual([frac.setting, frac.value, frac.validRange], ['therapist.systemTokenBudget', 1.2, 'a number from 0 to 1']);
    assert.equal(budgetError(() => new TokenCounter(8192, 0.2, -0.1)).setting, 'therapist.userTokenBudget');
    assert.equal(budgetError(() => new TokenCounter(8192, 0.2, 0.3, Number.NaN)).setting, 'therapist.contextTokenBudget');
    const sum = budgetError(() => validateBudgets({ maxTokens: 8192, systemTokenBudget: 0.5, userTokenBudget: 0.5, contextTokenBudget: 0.5 }));
    assert.equal(sum.setting, 'therapist.contextTokenBudget');
    assert.match(sum.message, /= 1\.5, more than 1/);
    assert.match(sum.validRange, /^at most 0 /);
    assert.deepEqual(sum.actions, ['openSettings']);
  });

  it('accepts budgets that add up to 1 with float noise', function () {
    assert.doesNotThrow(() => validateBudgets({ maxTokens: 10, systemTokenBudget: 0.1, userTokenBudget: 0.2, contextTokenBudget: 0.7 }));
    assert.doesNotThrow(() => new TokenCounter(8192, 0, 0, 0, { tokenizer: new CodePointTokenizer() }));
  });

  it('checks calibration factors', function () {
    assert.doesNotThrow(() => validateCalibration(1.3));
    assert.equal(budgetError(() => validateCalibration(0.1)).setting, 'calibration');
    assert.equal(budgetError(() => validateCalibration(Number.POSITIVE_INFINITY)).setting, 'calibration');
  });
});
