// Kinds of content that real model tokenizers count very differently from GPT-2 (measured with Llama 3, Qwen3,
// Gemma 3 and DeepSeek V3: CJK 0.35-0.39 model tokens per GPT-2 token, code 0.68-0.80 because GPT-2 spends one
// token per space of indentation, CSV up to 1.9 because some vocabularies split numbers into single digits). When
// the model's own tokenizer cannot be read, Therapist counts GPT-2 tokens per class and learns one ratio per class.

/**
 * The classes: whitespace runs (indentation, blank lines), numbers, CJK text by language, emoji, and everything
 * else. CJK is split by language because vocabularies treat the scripts very differently (model tokens per GPT-2
 * token, Qwen3: Chinese 0.39, Japanese 0.51, Korean 0.32): one ratio for all three missed mixed text by 15-25%.
 * A CJK run is Japanese when it holds any kana, Korean when it holds any Hangul, else Chinese.
 *
 * `punctuation` is not a run of its own but a correction on `other`: how many of its tokens glue ASCII punctuation
 * to other characters ("(foo", ".js", "](https"; 12% of README prose, 7% of code). Vocabularies that keep the two
 * apart (Gemma 3's SentencePiece) spend more there (fitted 0.69 model tokens more per glued token; DeepSeek V3
 * 0.49), byte-level BPE ones like cl100k's nothing (Llama 3 0.0, Qwen3 0.04): without it, README prose (links,
 * badges, HTML) missed Gemma 3 by 3-12% per request however the other ratios were fitted. Counting the pieces apart
 * predicted slightly better (oracle median 1.6% vs 1.8%) but doubled the cost of counting per class.
 */
import type { GluedCount } from './tokenizer';

export type ContentClass = 'space' | 'digit' | 'chinese' | 'japanese' | 'korean' | 'emoji' | 'other' | 'punctuation';
export const CONTENT_CLASSES: readonly ContentClass[] = ['space', 'digit', 'chinese', 'japanese', 'korean', 'emoji', 'other', 'punctuation'];
/** The classes whose counts are tokens of the text (all but the `punctuation` correction): they add up to its count. */
export const TOKEN_CLASSES: readonly ContentClass[] = CONTENT_CLASSES.filter((c) => c !== 'punctuation');

/** GPT-2 tokens per class for one text. */
export type ClassCounts = Record<ContentClass, number>;

/** All zeros. */
export function noCounts(): ClassCounts {
  return { space: 0, digit: 0, chinese: 0, japanese: 0, korean: 0, emoji: 0, other: 0, punctuation: 0 };
}

/** The text's own tokens in these counts (the sum over TOKEN_CLASSES). */
export function rawTokens(counts: ClassCounts): number {
  let n = 0;
  for (const c of TOKEN_CLASSES) n += counts[c];
  return n;
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
function cjkLanguage(run: string): ClassRun['cls'] {
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
  cls: Exclude<ContentClass, 'punctuation'>;
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

/**
 * Tokens of a text per class: each run counted with `countRaw` (the caller's cached count), `other` runs with
 * `countGlued` when the tokenizer can tell glued tokens (the `punctuation` correction stays 0 otherwise).
 */
export function classCounts(text: string, countRaw: (text: string) => number, countGlued?: (text: string) => GluedCount): ClassCounts {
  const counts = noCounts();
  if (text.length === 0) return counts;
  const runs = classRuns(text);
  const add = (cls: ClassRun['cls'], piece: string) => {
    if (cls === 'other' && countGlued) {
      const g = countGlued(piece);
      counts.other += g.tokens;
      counts.punctuation += g.glued;
    } else counts[cls] += countRaw(piece);
  };
  // One class only (most prose and most code chunks): one count of the whole text.
  if (runs.length === 1) add(runs[0].cls, text);
  else for (const run of runs) add(run.cls, text.slice(run.start, run.end));
  return counts;
}

/** Adds `b` into `a`. */
export function addCounts(a: ClassCounts, b: ClassCounts): ClassCounts {
  for (const c of CONTENT_CLASSES) a[c] += b[c];
  return a;
}
