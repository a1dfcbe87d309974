import assert from 'node:assert/strict';
import { noticeText, type CompressedNotice } from '../../../../../src/shared/notices';

describe('the compressed notice', function () {
  it('says what each step compressed and what it saved, in the order the steps ran', function () {
    const notice: CompressedNotice = {
      kind: 'compressed',
      savedTokens: 1540,
      steps: [
        {
          step: 'mergeOverlapping',
          savedTokens: 340,
          items: [
            { section: 'context', index: 1, source: 'src/a.ts:41-100', savedTokens: 300 },
            { section: 'context', index: 3, source: 'src/a.ts:90-120', savedTokens: 40 },
          ],
        },
        { step: 'elideMiddle', savedTokens: 1200, items: [{ section: 'context', index: 0, source: 'src/big.ts', savedTokens: 1200 }] },
      ],
    };
    assert.equal(noticeText(notice), 'Compressed to fit: merged 2 overlapping chunks (-340 tokens), elided the middle of src/big.ts (-1,200 tokens).');
  });

  it('names texts without a source by position, and shortens long lists', function () {
    const item = (index: number, section: 'context' | 'history' = 'context', source?: string) => ({ section, index, source, savedTokens: 10 });
    const text = noticeText({
      kind: 'compressed',
      savedTokens: 63,
      steps: [
        { step: 'dedupeRepeats', savedTokens: 30, items: [item(0, 'history'), item(2, 'history'), item(4)] },
        { step: 'trimTrailingWhitespace', savedTokens: 1, items: [item(0, 'history')] },
        { step: 'collapseBlankRuns', savedTokens: 2, items: [item(1), item(2)] },
        { step: 'dropComments', savedTokens: 30, items: [item(0, 'context', 'a.py'), item(1, 'context', 'b.py'), item(5), item(6)] },
      ],
    });
    assert.equal(
      text,
      'Compressed to fit: sent repeated blocks once in 1 chunk and 2 messages (-30 tokens), trimmed trailing whitespace in 1 message (-1 tokens), ' +
        'collapsed runs of blank lines in 2 chunks (-2 tokens), dropped comments from a.py, b.py and 2 more (-30 tokens).',
    );
  });
});
