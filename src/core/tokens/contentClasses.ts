// Kinds of content that real model tokenizers count very differently from GPT-2 (measured with Llama 3, Qwen3,
// Gemma 3 and DeepSeek V3: CJK 0.35-0.39 model tokens per GPT-2 token, code 0.68-0.80 because GPT-2 spends one
// token per space of indentation, CSV up to 1.9 because some vocabularies split numbers into single digits). When
// the model's own tokenizer cannot be read, Therapist counts GPT-2 tokens per class and learns one ratio per class.

/**
 * The classes: whitespace runs (indentation, blank lines), numbers, CJK text by language, emoji, and everything
 * else. CJK is split by language because vocabularies treat the scripts very differently (model tokens per GPT-2
 * token, Qwen3: Chinese 0.39, Japanese 0.51, Korean 0.32): one ratio for all three missed mixed text by 15-25%.
 * A CJK run is Japanese when it holds any kana, Korean when it holds any Hangul, else Chinese.
 */
export type ContentClass = 'space' | 'digit' | 'chinese' | 'japanese' | 'korean' | 'emoji' | 'other';
export const CONTENT_CLASSES: readonly ContentClass[] = ['space', 'digit', 'chinese', 'japanese', 'korean', 'emoji', 'other'];

/** GPT-2 tokens per class for one text. */
export type ClassCounts = Record<ContentClass, number>;

/** All zeros. */
export function noCounts(): ClassCounts {
  return { space: 0, digit: 0, chinese: 0, japanese: 0, korean: 0, emoji: 0, other: 0 };
}

const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\u3000-\u303f\uff00-\uffef]/u;
// Pictographs, and the joiners, variation selector and skin tones that build emoji sequences out of them.
const EMOJI = /\p{Extended_Pictographic}|\u200d|\ufe0f|\p{Emoji_Modifier}/u;
const DIGIT = /\p{N}/u;
// Separators that stay inside a number or a row of numbers (1,234.5 2026-12-01 12:30 1/2).
const NUMBER_JOINER = /[.,:\-/]/;

const KANA = /[\p{Script=Hiragana}\p{Script=Katakana}]/u;
const HANGUL = /\p{Script=Hangul}/u;

/** While splitting, CJK is one class (so a run is not cut at every switch between kanji and kana). */
type RunClass = Exclude<ContentClass, 'chinese' | 'japanese' | 'korean'> | 'cjk';

/** The language of a CJK run. */
function cjkLanguage(run: string): ContentClass {
  if (KANA.test(run)) return 'japanese';
  if (HANGUL.test(run)) return 'korean';
  return 'chinese';
}

function classOf(ch: string): RunClass | 'blank' {
  if (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r') return 'blank';
  if (DIGIT.test(ch)) return 'digit';
  const cp = ch.codePointAt(0)!;
  if (cp < 0x80) return 'other';
  if (CJK.test(ch)) return 'cjk';
  if (EMOJI.test(ch)) return 'emoji';
  return 'other';
}

/** One run of a class: [start, end) in UTF-16 units. */
export interface ClassRun {
  cls: ContentClass;
  start: number;
  end: number;
}

/**
 * Splits text into maximal runs of one class. A single space belongs to what follows it (GPT-2 glues it to the next
 * piece); whitespace that holds a line break or two or more characters is a `space` run of its own; a number keeps
 * the separators between its digits.
 */
export function classRuns(text: string): ClassRun[] {
  const runs: { cls: RunClass; start: number; end: number }[] = [];
  const push = (cls: RunClass, start: number, end: number) => {
    const last = runs[runs.length - 1];
    if (last && last.cls === cls && last.end === start) last.end = end;
    else runs.push({ cls, start, end });
  };
  let i = 0;
  while (i < text.length) {
    const cp = text.codePointAt(i)!;
    const ch = String.fromCodePoint(cp);
    let cls = classOf(ch);
    if (cls === 'blank') {
      let j = i;
      while (j < text.length && classOf(text[j]) === 'blank') j++;
      const blank = text.slice(i, j);
      if (blank.length === 1 && blank === ' ' && j < text.length) {
        // A lone space: part of the next piece. Classify that piece and start the run here.
        const next = classOf(String.fromCodePoint(text.codePointAt(j)!));
        cls = next === 'blank' ? 'space' : next;
        push(cls, i, j);
        i = j;
        continue;
      }
      push('space', i, j);
      i = j;
      continue;
    }
    let end = i + ch.length;
    if (cls === 'digit') {
      // Keep joiners between digits inside the number.
      while (end < text.length) {
        const c = text[end];
        if (DIGIT.test(c)) end++;
        else if (NUMBER_JOINER.test(c) && end + 1 < text.length && DIGIT.test(text[end + 1])) end += 2;
        else break;
      }
    }
    push(cls, i, end);
    i = end;
  }
  return runs.map((r) => (r.cls === 'cjk' ? { cls: cjkLanguage(text.slice(r.start, r.end)), start: r.start, end: r.end } : (r as ClassRun)));
}

/** GPT-2 tokens of a text per class: each run counted with `countRaw` (the caller's cached GPT-2 count). */
export function classCounts(text: string, countRaw: (text: string) => number): ClassCounts {
  const counts = noCounts();
  if (text.length === 0) return counts;
  const runs = classRuns(text);
  // One class only (most prose and most code chunks): one count of the whole text, which the cache already holds.
  if (runs.length === 1) {
    counts[runs[0].cls] = countRaw(text);
    return counts;
  }
  for (const run of runs) counts[run.cls] += countRaw(text.slice(run.start, run.end));
  return counts;
}

/** Adds `b` into `a`. */
export function addCounts(a: ClassCounts, b: ClassCounts): ClassCounts {
  for (const c of CONTENT_CLASSES) a[c] += b[c];
  return a;
}
