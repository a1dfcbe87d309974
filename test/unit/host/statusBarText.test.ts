import * as assert from 'node:assert/strict';
import { statusText } from '../../../src/host/statusBarText';

describe('status bar text', () => {
  it('shows used/limit and turns to warning at 90% or when truncated, error when over', () => {
    const base = { model: 'm', limit: 8000, truncated: false, estimated: false };
    assert.deepEqual(pick(statusText('m', { ...base, used: 5100 })), ['$(hubot) Therapist: 5.1k/8k', 'normal']);
    assert.equal(statusText('m', { ...base, used: 7199 }).level, 'normal');
    assert.equal(statusText('m', { ...base, used: 7200 }).level, 'warning');
    assert.equal(statusText('m', { ...base, used: 100, truncated: true }).level, 'warning');
    assert.equal(statusText('m', { ...base, used: 8001 }).level, 'error');
  });

  it('marks estimates and says nothing about usage before the first request', () => {
    const s = statusText('m', { model: 'm', limit: 8192, used: 1000, truncated: false, estimated: true });
    assert.equal(s.text, '$(hubot) Therapist: ≈1k/8k', 'the window as the header names it: 8192 is 8k');
    assert.match(s.tooltip, /\(estimate\)/);
    assert.equal(statusText('deepseek', undefined).text, '$(hubot) Therapist');
  });
});

const pick = (s: ReturnType<typeof statusText>) => [s.text, s.level];
