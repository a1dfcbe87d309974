import assert from 'node:assert/strict';
import fc from 'fast-check';
import { graphemeCeil, graphemeFloor } from '../../../../src/core/tokens/graphemes';
import { Meter } from '../../../../src/core/tokens/meter';
import { TiktokenTokenizer, loadGpt2Encoding } from '../../../../src/core/tokens/tiktokenTokenizer';
import { fitText } from '../../../../src/core/tokens/truncation';
import { assertCleanCut, graphemeBoundaries } from './graphemeCheck';

describe('cutting text to a budget', function () {
  const tk = new TiktokenTokenizer(loadGpt2Encoding());
  after(() => tk.dispose());
  const meter = new Meter(tk, (t) => tk.count(t));

  it('keeps the head, marks the cut and counts the marker', function () {
    const text = 'The quick brown fox jumps over the lazy dog. '.repeat(100);
    const cut = fitText(text, 50, meter);
    assert.equal(cut.cut, true);
    assert.equal(cut.originalTokens, tk.count(text));
    assert.equal(cut.tokens, tk.count(cut.text));
    assert.ok(cut.tokens <= 50 && cut.tokens >= 45, `uses the budget: ${cut.tokens}`);
    assert.match(cut.text, /^The quick brown fox.*\n\[\.\.\. \d+ tokens truncated \.\.\.\]$/s);
    const removed = Number(/(\d+) tokens truncated/.exec(cut.text)![1]);
    assert.equal(removed, tk.count(text) - tk.count(cut.text.slice(0, cut.text.indexOf('\n['))));
  });

  it('leaves text that fits alone, and drops text when not even the marker fits', function () {
    assert.deepEqual(fitText('hello world', 2, meter), { text: 'hello world', tokens: 2, originalTokens: 2, cut: false });
    // 50 x "hello world " is 100 tokens and a trailing space.
    assert.deepEqual(fitText('hello world '.repeat(50), 5, meter), { text: '', tokens: 0, originalTokens: 101, cut: true });
  });

  it('drops a text rather than return a bare marker when no whole grapheme fits', function () {
    const family = '👨‍👩‍👧‍👦'.repeat(20); // one family emoji is many GPT-2 tokens
    const marker = tk.count('\n[... 999 tokens truncated ...]');
    const cut = fitText(family, marker + 2, meter);
    assert.equal(cut.text, '');
    assert.equal(cut.tokens, 0);
  });

  it('never splits an emoji sequence, a flag or a combining accent', function () {
    const family = '👨‍👩‍👧‍👦';
    const texts = [family.repeat(60), '🇫🇷🇩🇪🇯🇵'.repeat(40), 'e\u0301'.repeat(300), 'a👍🏽b'.repeat(80)];
    for (const text of texts) {
      for (const budget of [20, 33, 57, 90]) {
        const cut = fitText(text, budget, meter);
        assert.ok(cut.tokens <= budget);
        assertCleanCut(text, cut.text);
        const middle = fitText(text, budget, meter, 'middle');
        assert.ok(middle.tokens <= budget);
        assertCleanCut(text, middle.text);
      }
    }
  });

  it('snaps to grapheme boundaries on any text', function () {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom('a', ' ', '👍', '🏽', '\u200d', '\u0301', '🇫', '🇷', '\r', '\n', '中'), maxLength: 80 }),
        fc.nat(),
        (text, k) => {
          const i = k % (text.length + 1);
          const bounds = graphemeBoundaries(text);
          const floor = graphemeFloor(text, i);
          const ceil = graphemeCeil(text, i);
          assert.ok(floor <= i && bounds.has(floor), `floor ${floor} of ${i}`);
          assert.ok(ceil >= i && bounds.has(ceil), `ceil ${ceil} of ${i}`);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('snaps to grapheme boundaries in long runs without ASCII (segmentation starts in a window)', function () {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom('👍', '🏽', '\u200d', '\u0301', '🇫', '🇷', '中', 'é'), minLength: 200, maxLength: 700 }),
        fc.nat(),
        (text, k) => {
          const i = k % (text.length + 1);
          const bounds = graphemeBoundaries(text);
          assert.ok(bounds.has(graphemeFloor(text, i)), `floor of ${i}`);
          assert.ok(bounds.has(graphemeCeil(text, i)), `ceil of ${i}`);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('cuts in the middle, keeping both ends of the text', function () {
    const text = 'START ' + 'filler words here '.repeat(200) + ' END?';
    const cut = fitText(text, 40, meter, 'middle');
    assert.ok(cut.tokens <= 40);
    assert.match(cut.text, /^START filler.*\n\[\.\.\. \d+ tokens truncated \.\.\.\]\n.* END\?$/s);
  });

  it('cuts a 1 MB single line and keeps the budget', function () {
    const line = 'QUJD'.repeat(250_000);
    const cut = fitText(line, 1000, meter);
    assert.ok(cut.tokens <= 1000 && cut.tokens > 900);
    assert.equal(cut.tokens, tk.count(cut.text));
  });
});
