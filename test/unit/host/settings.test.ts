import * as assert from 'node:assert/strict';
import { DEFAULTS, type TherapistConfig } from '../../../src/core/config';
import { Settings } from '../../../src/host/settings';

// The settings as applied: the last valid configuration, one report per distinct problem.
describe('Settings (last valid configuration)', () => {
  const make = (initial: Partial<TherapistConfig> = {}) => {
    const notes: { message: string; setting?: string }[] = [];
    const settings = new Settings(
      { ...DEFAULTS, ...initial },
      { notify: (message, setting) => notes.push({ message, setting }), log: { info() {}, warn() {} } },
    );
    return { settings, notes };
  };

  it('applies valid settings and derives the ledger limits and the user', () => {
    const { settings, notes } = make({ maxTokens: 4096, 'quota.dailyTokens': 5000, userId: 'ana' });
    assert.equal(settings.applied.maxTokens, 4096);
    assert.deepEqual(settings.ledgerLimits(), { dailyTokens: 5000, monthlyTokens: 0, conversationTokens: 0, tokensPerMinute: 0 });
    assert.equal(settings.userId(), 'ana');
    assert.equal(settings.problem, undefined);
    assert.equal(notes.length, 0);
  });

  it('keeps the last valid configuration when budgets sum over 1, and reports it once, naming the setting', () => {
    const { settings, notes } = make({ maxTokens: 4096 });
    const bad = { ...settings.applied, systemTokenBudget: 0.6 };
    assert.equal(settings.apply(bad), false);
    assert.equal(settings.apply(bad), false);
    assert.equal(settings.applied.systemTokenBudget, 0.2, 'the last valid value stays in force');
    assert.equal(settings.applied.maxTokens, 4096);
    assert.equal(notes.length, 1, 'reported once, not on every change event');
    assert.match(notes[0].message, /therapist\.\w+TokenBudget/);
    assert.match(notes[0].message, /more than 1/);
    assert.ok(notes[0].setting?.startsWith('therapist.'), 'the notification knows which setting to open');
    assert.equal(settings.apply({ ...bad, systemTokenBudget: 0.2 }), true);
    assert.equal(settings.problem, undefined);
  });

  it('starting with invalid budgets keeps the rest of the user settings and falls back to default budgets', () => {
    const { settings, notes } = make({ ollamaUrl: 'http://10.0.0.5:11434', model: 'qwen2.5-coder:7b', userTokenBudget: 2 });
    assert.equal(settings.applied.ollamaUrl, 'http://10.0.0.5:11434');
    assert.equal(settings.applied.model, 'qwen2.5-coder:7b');
    assert.equal(settings.applied.userTokenBudget, DEFAULTS.userTokenBudget);
    assert.match(settings.problem ?? '', /therapist\.userTokenBudget/);
    assert.equal(notes.length, 1);
  });

  it('rejects negative or fractional quotas with the setting name', () => {
    const { settings, notes } = make();
    assert.equal(settings.apply({ ...DEFAULTS, 'quota.monthlyTokens': -5 }), false);
    assert.equal(notes[0].setting, 'therapist.quota.monthlyTokens');
    assert.equal(settings.apply({ ...DEFAULTS, 'rateLimit.tokensPerMinute': 1.5 }), false);
    assert.equal(notes[1].setting, 'therapist.rateLimit.tokensPerMinute');
  });

  it('uses the OS user name when therapist.userId is empty', () => {
    const { settings } = make({ userId: '  ' });
    assert.ok(settings.userId().length > 0);
    assert.notEqual(settings.userId().trim(), '');
  });
});
