import assert from 'node:assert/strict';
import fc from 'fast-check';
import { utf8Length } from '../../../../src/core/tokens/charClasses';

describe('charClasses: UTF-8 sizes', () => {
  it('utf8Length is the byte length TextEncoder writes, lone surrogates as U+FFFD', () => {
    const encoder = new TextEncoder();
    assert.equal(utf8Length(''), 0);
    assert.equal(utf8Length('a中😀'), 1 + 3 + 4);
    assert.equal(utf8Length('\uD83Dx\uDE00'), 3 + 1 + 3);
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (s) => {
        assert.equal(utf8Length(s), encoder.encode(s).length);
      }),
      { numRuns: 500 },
    );
  });
});
