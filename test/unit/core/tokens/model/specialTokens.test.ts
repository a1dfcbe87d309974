import assert from 'node:assert/strict';
import { SpecialTokenMatcher } from '../../../../../src/core/tokens/model/specialTokens';

// llama.cpp's tokenizer_st_partition: special tokens longest first, each one's leftmost non-overlapping
// occurrences in what longer ones left.

function parts(matcher: SpecialTokenMatcher, text: string): (string | number)[] {
  return matcher.split(text).map((s) => (s.special !== undefined ? s.special : text.slice(s.start, s.end)));
}

describe('SpecialTokenMatcher', () => {
  const m = new SpecialTokenMatcher([
    { id: 1, text: '<|im_start|>', control: true },
    { id: 2, text: '<|im_end|>', control: true },
    { id: 3, text: '<think>', control: false },
    { id: 4, text: 'ab', control: true },
    { id: 5, text: 'abab', control: true },
    { id: 6, text: 'ba', control: true },
  ]);

  it('cuts text around every occurrence and covers it exactly', () => {
    assert.deepEqual(parts(m, 'x<|im_start|>user\nhi<|im_end|><think>'), ['x', 1, 'user\nhi', 2, 3]);
    assert.deepEqual(parts(m, 'plain text'), ['plain text']);
    assert.deepEqual(parts(m, ''), []);
  });

  it('takes longer tokens first, then shorter ones where they do not overlap', () => {
    // "abab" first; the "ba" in the middle overlaps it.
    assert.deepEqual(parts(m, 'xababx'), ['x', 5, 'x']);
    // "ababa": "abab" at 0, then "ba"? it would overlap; the trailing "a" stays text.
    assert.deepEqual(parts(m, 'ababa'), [5, 'a']);
    // "bab": no "abab"; "ab" at 1 is leftmost for "ab" (taken before the equally long "ba", by id).
    assert.deepEqual(parts(m, 'bab'), ['b', 4]);
    // Leftmost non-overlapping occurrences of one token: "aaba" has "ab" at 1 only.
    assert.deepEqual(parts(m, 'aaba'), ['a', 4, 'a']);
  });

  it('matches nothing when it has no tokens', () => {
    const none = new SpecialTokenMatcher([]);
    assert.equal(none.empty, true);
    assert.deepEqual(parts(none, 'a<|im_end|>'), ['a<|im_end|>']);
  });
});
