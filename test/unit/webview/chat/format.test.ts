import assert from 'node:assert/strict';
import type { TokenBreakdown } from '../../../../src/protocol/chat';
import { formatCount, formatTokens, formatWindow } from '../../../../src/shared/format';
import {
  conversationTotalText,
  meterLevel,
  meterSegments,
  meterSplitText,
  meterSummary,
  splitInlineCode,
  stableSplit,
  truncationDetails,
} from '../../../../src/webview/chat/format';

const b = (over: Partial<TokenBreakdown> = {}): TokenBreakdown => {
  const base = { system: 100, user: 50, context: 300, history: 200, reserved: 819, limit: 8192, estimated: false, ...over };
  return { used: base.system + base.user + base.context + base.history, ...base, ...over };
};

describe('panel format helpers', () => {
  it('formats counts with thousands separators, independent of locale', () => {
    assert.equal(formatCount(0), '0');
    assert.equal(formatCount(999), '999');
    assert.equal(formatCount(8192), '8,192');
    assert.equal(formatCount(1234567), '1,234,567');
    assert.equal(formatCount(-4096), '-4,096');
  });

  it('formats compact token counts', () => {
    assert.deepEqual([812, 1000, 5120, 12_345, 131_072, 1_200_000].map(formatTokens), ['812', '1k', '5.1k', '12k', '131k', '1.2M']);
  });

  it('names windows as people do: 8192 is 8k, 131072 is 128k', () => {
    assert.deepEqual([8192, 4096, 131072, 3000].map(formatWindow), ['8k', '4k', '128k', '3k']);
  });

  it('draws one segment per section, in order, as shares of the window', () => {
    const segments = meterSegments(b());
    assert.deepEqual(
      segments.map((s) => s.section),
      ['system', 'user', 'context', 'history', 'reserved'],
    );
    assert.equal(segments[0].fraction, 100 / 8192);
    assert.equal(segments[4].tokens, 819);
  });

  it('never draws more than the whole bar for an over-full prompt', () => {
    const segments = meterSegments(b({ context: 9000, used: 9350 }));
    const sum = segments.reduce((s, x) => s + x.fraction, 0);
    assert.ok(Math.abs(sum - 1) < 1e-9, `sum ${sum}`);
  });

  it('warns from 80% of the window (reserve included) and flags overflow', () => {
    assert.equal(meterLevel(b()), 'ok');
    assert.equal(meterLevel(b({ used: 5800, reserved: 819 })), 'warn');
    assert.equal(meterLevel(b({ used: 7400, reserved: 819 })), 'over');
  });

  it('summarizes used / limit and the per-section split', () => {
    assert.equal(meterSummary(b()), '650 / 8,192 tokens');
    assert.equal(meterSplitText(b()), 'system prompt 100 · your message 50 · code context 300 · conversation history 200 · reserved for answer 819');
    assert.equal(conversationTotalText(12_345), '12k tokens used in this conversation');
  });

  it('lists every fact of a cut, in the shared section words and truncation order', () => {
    const lines = truncationDetails({
      kind: 'truncated',
      sections: ['user', 'context', 'history'],
      tokensCut: 2417,
      droppedMessages: 4,
      window: 8192,
      droppedChunks: [
        { source: 'a.ts:1-9', tokens: 1200 },
        { source: 'b.ts', partial: true },
      ],
    });
    assert.deepEqual(lines, [
      'Cut: code context, conversation history, your message',
      'Tokens cut: 2,417',
      'Dropped: the 4 oldest messages of the conversation',
      'Dropped: a.ts:1-9 (1,200 tokens)',
      'Partly dropped: b.ts',
    ]);
  });

  it('splits `code` spans out of plain text, leaving unpaired backticks alone', () => {
    assert.deepEqual(splitInlineCode('Run `ollama pull x` now'), [
      { text: 'Run ', code: false },
      { text: 'ollama pull x', code: true },
      { text: ' now', code: false },
    ]);
    assert.deepEqual(splitInlineCode('a ` b'), [{ text: 'a ` b', code: false }]);
    assert.deepEqual(splitInlineCode('<b>`x`</b>'), [
      { text: '<b>', code: false },
      { text: 'x', code: true },
      { text: '</b>', code: false },
    ]);
  });
});

describe('stableSplit (incremental markdown while streaming)', () => {
  it('splits after the last blank line before a complete margin line', () => {
    const text = 'First paragraph.\n\nSecond paragraph.\n\nThird, still arriv';
    assert.equal(text.slice(stableSplit(text)), 'Second paragraph.\n\nThird, still arriv');
  });

  it('returns the end of the blank line whose next line is complete', () => {
    const text = 'One.\n\nTwo.\n\nThree';
    // The blank line before "Three" does not count yet: "Three" is still arriving.
    assert.equal(text.slice(stableSplit(text)), 'Two.\n\nThree');
  });

  it('never splits inside a fenced code block, even at blank lines', () => {
    const open = 'Intro.\n\n```ts\nconst a = 1;\n\nconst b = 2;\n\nconst c = 3;\n';
    assert.equal(open.slice(stableSplit(open)), '```ts\nconst a = 1;\n\nconst b = 2;\n\nconst c = 3;\n');
    const closed = `${open}\`\`\`\n\nAfter.\n\nTail`;
    assert.equal(closed.slice(stableSplit(closed)), 'After.\n\nTail');
  });

  it('only a closing fence of the same kind and at least the same length closes a block', () => {
    const text = 'A.\n\n````md\n```\n\ninside\n\n````\n\nB.\nC';
    assert.equal(text.slice(stableSplit(text)), 'B.\nC');
  });

  it('does not split before an indented line (it may continue a list item)', () => {
    const text = '- item one\n\n  continued\n\nNext.\n';
    assert.equal(text.slice(stableSplit(text)), 'Next.\n');
  });

  it('returns 0 when there is no safe split', () => {
    assert.equal(stableSplit(''), 0);
    assert.equal(stableSplit('no newline yet'), 0);
    assert.equal(stableSplit('\n\nstarts blank'), 0);
  });
});
