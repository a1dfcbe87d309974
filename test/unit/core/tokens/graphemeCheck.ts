import assert from 'node:assert/strict';

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** All grapheme boundaries of `text` (0 and text.length included). */
export function graphemeBoundaries(text: string): Set<number> {
  const set = new Set<number>([0, text.length]);
  for (const seg of segmenter.segment(text)) set.add(seg.index);
  return set;
}

/**
 * True when `at` is a grapheme boundary of `text`, segmenting only around it: ICU's segmenter slows to minutes on a
 * 1 MB line without break opportunities, and a grapheme cluster never spans 256 code units in any real text.
 */
export function isGraphemeBoundary(text: string, at: number): boolean {
  if (at <= 0 || at >= text.length) return true;
  const start = Math.max(0, at - 256);
  const window = text.slice(start, Math.min(text.length, at + 256));
  for (const seg of segmenter.segment(window)) {
    if (start + seg.index === at) return true;
    if (start + seg.index > at) return false;
  }
  return false;
}

const MARKER = /\n?\[\.\.\. \d+ tokens truncated \.\.\.\]\n?/;

/**
 * Asserts that `cut` is `original` itself, empty, or original's head (and, for a middle cut, its tail)
 * around one truncation marker, each part ending/starting on a grapheme boundary of the original.
 */
export function assertCleanCut(original: string, cut: string): void {
  if (cut === original || cut === '') return;
  const m = MARKER.exec(cut);
  assert.ok(m, `cut text has no marker: ${JSON.stringify(cut.slice(0, 80))}`);
  const head = cut.slice(0, m.index);
  const tail = cut.slice(m.index + m[0].length);
  assert.ok(original.startsWith(head), 'the kept head is a prefix of the original');
  assert.ok(isGraphemeBoundary(original, head.length), `head ends inside a grapheme at ${head.length}`);
  if (tail.length > 0) {
    assert.ok(original.endsWith(tail), 'the kept tail is a suffix of the original');
    assert.ok(isGraphemeBoundary(original, original.length - tail.length), 'tail starts inside a grapheme');
  }
}
