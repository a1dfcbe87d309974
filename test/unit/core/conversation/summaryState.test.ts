import { strict as assert } from 'node:assert';
import { SummaryStateError } from '../../../../src/core/conversation/errors';
import { fingerprintOf, parseSummaryState, type SummaryRecord } from '../../../../src/core/conversation/summaryState';
import { pairs } from './kit';

const turns = pairs(['first', 'second']);
const record: SummaryRecord = {
  toTurn: 1,
  messagesCovered: 2,
  fingerprint: fingerprintOf(turns, 2),
  firstRequest: 'first',
  firstRequestCut: false,
  body: 'Files: none',
  method: 'digest',
  fallbackReason: 'HTTP 500',
  tokensBefore: 40,
  tokensAfter: 30,
  requests: 1,
  trimmed: false,
  createdAt: 1_700_000_000_000,
  durationMs: 12,
};

describe('summary state', () => {
  it('fingerprints the covered messages: any change of role, text or split changes it', () => {
    const fp = fingerprintOf(turns, 2);
    assert.match(fp, /^[0-9a-f]{64}$/);
    assert.equal(fingerprintOf(pairs(['first', 'second']), 2), fp);
    assert.notEqual(fingerprintOf(pairs(['first!', 'second']), 2), fp);
    assert.notEqual(fingerprintOf(turns, 1), fp);
    assert.notEqual(
      fingerprintOf(
        [
          { role: 'user', content: 'ab' },
          { role: 'assistant', content: 'c' },
        ],
        2,
      ),
      fingerprintOf(
        [
          { role: 'user', content: 'a' },
          { role: 'assistant', content: 'bc' },
        ],
        2,
      ),
    );
  });

  it('reads back what it wrote, through JSON', () => {
    const state = { version: 1 as const, paused: false, chain: [record] };
    assert.deepEqual(parseSummaryState('c1', JSON.parse(JSON.stringify(state))), state);
  });

  it('names the first bad field of stored state', () => {
    const cases: [unknown, RegExp][] = [
      [null, /conversation c1 is not valid: the state is null, not an object/],
      [{ version: 2, paused: false, chain: [] }, /version is 2, expected 1/],
      [{ version: 1, paused: 'no', chain: [] }, /paused must be true or false/],
      [{ version: 1, paused: false, chain: {} }, /chain must be a list/],
      [{ version: 1, paused: false, chain: [{ ...record, method: 'guess' }] }, /chain\[0\]\.method is "guess", expected 'model' or 'digest'/],
      [{ version: 1, paused: false, chain: [{ ...record, tokensAfter: -1 }] }, /chain\[0\]\.tokensAfter is -1, expected a token count/],
      [{ version: 1, paused: false, chain: [record, record] }, /chain\[1\]\.messagesCovered is 2, not more than the previous summary's 2/],
    ];
    for (const [data, message] of cases) {
      assert.throws(
        () => parseSummaryState('c1', data),
        (e: unknown) => e instanceof SummaryStateError && e.code === 'summary-state' && message.test(e.message) && /original turns are used/.test(e.advice),
      );
    }
  });
});
