import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DEFAULTS, SETTINGS, SETTING_KEYS, isValidated, manifestProperties, validateConfig } from '../../../src/core/config';
import { ConfigurationError } from '../../../src/core/errors';

const manifest = JSON.parse(readFileSync(path.join(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as {
  contributes: { configuration: { properties: Record<string, unknown> } };
};

describe('settings: the one schema (core/config.ts)', () => {
  it('package.json contributes exactly the schema: keys, types, defaults, ranges and descriptions', () => {
    // Written once in the schema; the manifest is a copy VS Code needs. `npm run sync:manifest` rewrites it.
    assert.deepEqual(manifest.contributes.configuration.properties, manifestProperties());
  });

  it('defaults follow from the schema and are valid', () => {
    for (const key of SETTING_KEYS) assert.equal(DEFAULTS[key], SETTINGS[key].default);
    assert.doesNotThrow(() => validateConfig({ ...DEFAULTS }));
  });

  const rejects = (over: Record<string, unknown>, setting: string, valid: RegExp) =>
    assert.throws(
      () => validateConfig({ ...DEFAULTS, ...over }),
      (e: unknown) => e instanceof ConfigurationError && e.setting === setting && valid.test(e.validRange) && e.actions.includes('openSettings'),
    );

  it('names the first bad setting and its valid range, for every kind of setting', () => {
    rejects({ maxTokens: 100 }, 'therapist.maxTokens', /from 256 to 1048576/);
    rejects({ maxTokens: 4096.5 }, 'therapist.maxTokens', /integer/);
    rejects({ systemTokenBudget: -0.1 }, 'therapist.systemTokenBudget', /from 0 to 1/);
    rejects({ streamingTimeout: 5 }, 'therapist.streamingTimeout', /1000 to 600000 \(milliseconds\)/);
    rejects({ enableStreaming: 'yes' }, 'therapist.enableStreaming', /true or false/);
    rejects({ ollamaUrl: 'ftp://x' }, 'therapist.ollamaUrl', /http/);
    rejects({ model: '  ' }, 'therapist.model', /ollama list/);
    rejects({ 'quota.dailyTokens': -1 }, 'therapist.quota.dailyTokens', /0 for unlimited/);
    rejects({ 'rateLimit.tokensPerMinute': 1.5 }, 'therapist.rateLimit.tokensPerMinute', /integer/);
  });

  it('checks the three budget shares together: at most 1 in sum', () => {
    rejects({ systemTokenBudget: 0.6, userTokenBudget: 0.6 }, 'therapist.contextTokenBudget', /add up to at most 1/);
  });

  it('a validated configuration is recognised downstream and is not re-checked; a copy of it is', () => {
    const valid = validateConfig({ ...DEFAULTS });
    assert.equal(isValidated(valid), true);
    assert.equal(validateConfig(valid), valid);
    assert.equal(isValidated({ ...valid }), false);
    assert.ok(Object.isFrozen(valid), 'frozen: nobody can change it after the check');
  });

  it('a partial configuration is checked for the keys it has', () => {
    assert.doesNotThrow(() => validateConfig({ model: 'x' }));
    assert.throws(() => validateConfig({ 'quota.monthlyTokens': -5 }), ConfigurationError);
  });
});
