// When the served model's own tokenizer cannot be read, Therapist counts GPT-2 tokens per content class and learns,
// per model, how many model tokens each class costs, from prompt_eval_count after each request:
//   prompt_eval_count ~ sum over classes of ratio[c] * gpt2Tokens[c] + perMessage * messages + fixed
// One ratio cannot follow content (CJK 0.35, code 0.7, CSV 1.9 for the same model): a ratio per class can.
// The fit is a least squares over the last requests, in RELATIVE terms (each request's error as a share of its
// count, so a long prompt does not outweigh ten short ones), anchored to conservative priors with a strength that
// is also relative. Within one kind of content the classes come in nearly fixed proportions (CJK text carries
// digits and spaces, code carries indentation and identifiers), so the data alone cannot split a correction between
// them; the anchor splits it by how far each class may plausibly be from its prior (FREEDOM). A first version
// anchored in absolute GPT-2 tokens had an anchor a million times weaker than the data and drifted into nonsense
// (digits 8, other 0.1) while missing real CJK text by 40-90%.
import { CONTENT_CLASSES, rawTokens, type ClassCounts, type ContentClass } from '../tokens/contentClasses';
import { messageOf, silentLogger, type Logger } from '../runtime';

/** Per-class ratios plus the chat template's cost. */
export interface ClassRatios {
  ratios: Record<ContentClass, number>;
  /** Template tokens per message (role markers, separators). */
  perMessage: number;
  /** Template tokens per prompt (BOS, the assistant prefix). */
  fixed: number;
}

/**
 * What a model was assumed to cost, in model tokens per cl100k token, before it taught anything: above every
 * vocabulary measured (Llama 3, Qwen3, DeepSeek V3, Gemma 3; per class, fitted over mixed code, prose, CJK, CSV
 * and logs), so a first request never overflows, yet close enough that it uses most of the window (85-99%).
 * Digits stay high: Qwen3 and Gemma 3 spend one token per digit (1.7 per cl100k token). `other` and `punctuation`
 * together cover Gemma 3's 0.99 + 0.69 (other + punctuation per glued token) as well as Llama 3's 1.00 + 0.
 */
export const PRIOR: ClassRatios = {
  ratios: { space: 0.78, digit: 1.8, chinese: 0.82, japanese: 0.68, korean: 0.8, emoji: 1.0, other: 1.06, punctuation: 0.75 },
  perMessage: 7,
  fixed: 6,
};

/** The persisted state of one model's fit. */
export interface ClassCalibrationRecord {
  version: 5;
  ratios: ClassRatios;
  /** Requests learned from (all of them). */
  samples: number;
  /** The last requests, newest last: what the fit is solved over. */
  recent: ClassSample[];
  /** Recent signed errors of the fit's own prediction, (actual - predicted) / actual, newest last: > 0 means it under-counted. */
  recentErrors: number[];
  updatedAt: string;
}

/** Where records live between sessions (globalState in the host; a Map in tests and scripts). */
export interface ClassCalibrationStore {
  get(model: string): ClassCalibrationRecord | undefined;
  set(model: string, record: ClassCalibrationRecord): void | Promise<void>;
}

/** A store in a Map. */
export class InMemoryClassCalibrationStore implements ClassCalibrationStore {
  private readonly records = new Map<string, ClassCalibrationRecord>();
  get(model: string): ClassCalibrationRecord | undefined {
    const r = this.records.get(model);
    return r && structuredClone(r);
  }
  set(model: string, record: ClassCalibrationRecord): void {
    this.records.set(model, structuredClone(record));
  }
}

/** One request as the fit sees it. */
export interface ClassSample {
  counts: ClassCounts;
  messages: number;
  /** prompt_eval_count. */
  modelTokens: number;
}

/** Ratios outside these bounds are a broken sample or an arithmetic accident, never a tokenizer. */
const MIN_RATIO = 0.1;
/** Except the punctuation correction, which a byte-level BPE vocabulary does not spend at all. */
const MIN_RATIO_OF: Partial<Record<ContentClass, number>> = { punctuation: 0 };
const MAX_RATIO = 8;
/** The template terms stay within what chat templates cost (0 to a few dozen tokens). */
const MAX_TEMPLATE = 64;

function priorRecord(): ClassCalibrationRecord {
  return { version: 5, ratios: structuredClone(PRIOR), samples: 0, recent: [], recentErrors: [], updatedAt: new Date(0).toISOString() };
}

/**
 * How far each class's true ratio may lie from its prior, relative to it (measured over Llama 3, Qwen3, Gemma 3,
 * DeepSeek V3, per cl100k token): whitespace runs 0.37-0.72, digits 1.0-1.73, CJK 0.45-0.78, emoji 0.46-0.96, the
 * rest of the text 0.98-1.00, its punctuation correction 0-0.69 (so free that the data, not the prior, decides it:
 * with freedom 1 a Llama 3 conversation of README prose stayed 4% over after 5 requests). A class that may be far
 * off takes more of a correction the data cannot attribute.
 */
const FREEDOM: Readonly<Record<ContentClass, number>> = {
  space: 1,
  digit: 0.6,
  chinese: 0.5,
  japanese: 0.5,
  korean: 0.5,
  emoji: 0.6,
  other: 0.2,
  punctuation: 2,
};
/** The anchor's weight against one request's relative error (a deviation of FREEDOM x prior costs as much as a 10% miss on one request). */
const ANCHOR = 0.01;
/** Each older request counts this much less than the next (about the last 8 matter). */
const FORGET = 0.88;
/** Requests kept for the fit. */
const KEPT = 16;

const N = CONTENT_CLASSES.length + 2;
const row = (s: ClassSample) => [...CONTENT_CLASSES.map((c) => s.counts[c]), s.messages, 1];
const priorVector = () => [...CONTENT_CLASSES.map((c) => PRIOR.ratios[c]), PRIOR.perMessage, PRIOR.fixed];
const freedomVector = () => [...CONTENT_CLASSES.map((c) => FREEDOM[c]), 1, 1];

/**
 * min sum_i w_i ((y_i - x_i.t) / y_i)^2 + ANCHOR sum_j ((t_j - p_j) / (p_j F_j))^2, by its normal equations, with
 * each ratio kept within its bounds. A ratio that lands outside is pinned to its bound and the rest solved again
 * (at most once per class): clamping it after the solve would leave the others fitted to a value it does not have,
 * e.g. Llama 3's punctuation correction solved to -0.3, clamped to 0, and `other` still lowered to make up for it.
 */
function fit(samples: readonly ClassSample[]): ClassRatios {
  const lower = [...CONTENT_CLASSES.map((c) => MIN_RATIO_OF[c] ?? MIN_RATIO), 0, 0];
  const upper = [...CONTENT_CLASSES.map(() => MAX_RATIO), MAX_TEMPLATE, MAX_TEMPLATE];
  const pinned = new Map<number, number>();
  let t = solveAnchored(samples, pinned);
  for (let round = 0; round < N; round++) {
    const out = t.findIndex((v, j) => !pinned.has(j) && (v < lower[j] || v > upper[j]));
    if (out < 0) break;
    pinned.set(out, Math.min(upper[out], Math.max(lower[out], t[out])));
    t = solveAnchored(samples, pinned);
  }
  t = t.map((v, j) => Math.min(upper[j], Math.max(lower[j], v)));
  const ratios = Object.fromEntries(CONTENT_CLASSES.map((c, i) => [c, t[i]])) as Record<ContentClass, number>;
  return { ratios, perMessage: t[N - 2], fixed: t[N - 1] };
}

/** The anchored least squares of fit(), with the `pinned` terms held at their values. */
function solveAnchored(samples: readonly ClassSample[], pinned: ReadonlyMap<number, number>): number[] {
  const p = priorVector();
  const f = freedomVector();
  const a = Array.from({ length: N }, () => new Array<number>(N).fill(0));
  const b = new Array<number>(N).fill(0);
  for (let j = 0; j < N; j++) {
    const w = ANCHOR / (p[j] * f[j]) ** 2;
    a[j][j] += w;
    b[j] += w * p[j];
  }
  samples.forEach((sample, i) => {
    const w = FORGET ** (samples.length - 1 - i);
    const x = row(sample).map((v) => v / sample.modelTokens);
    for (let j = 0; j < N; j++) {
      b[j] += w * x[j];
      for (let k = 0; k < N; k++) a[j][k] += w * x[j] * x[k];
    }
  });
  // A pinned term becomes the equation t_j = value, its known part moved to the right-hand side of the others.
  for (const [j, value] of pinned) {
    for (let k = 0; k < N; k++) {
      if (k === j) continue;
      b[k] -= a[k][j] * value;
      a[k][j] = 0;
      a[j][k] = 0;
    }
    a[j][j] = 1;
    b[j] = value;
  }
  return solve(a, b);
}

/** Solves a x = b (Gaussian elimination with partial pivoting; the anchor keeps a well conditioned). */
function solve(a: number[][], b: number[]): number[] {
  const n = b.length;
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(a[r][col]) > Math.abs(a[pivot][col])) pivot = r;
    [a[col], a[pivot]] = [a[pivot], a[col]];
    [b[col], b[pivot]] = [b[pivot], b[col]];
    for (let r = col + 1; r < n; r++) {
      const m = a[r][col] / a[col][col];
      if (m === 0) continue;
      for (let k = col; k < n; k++) a[r][k] -= m * a[col][k];
      b[r] -= m * b[col];
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let sum = b[r];
    for (let k = r + 1; k < n; k++) sum -= a[r][k] * x[k];
    x[r] = sum / a[r][r];
  }
  return x;
}

/** The fit's prediction for a request. */
export function predict(r: ClassRatios, counts: ClassCounts, messages: number): number {
  let sum = r.fixed + r.perMessage * messages;
  for (const c of CONTENT_CLASSES) sum += r.ratios[c] * counts[c];
  return sum;
}

/** What planning uses for a model: the fit, and the margin to plan with on top of it. */
export interface ClassEstimate {
  ratios: ClassRatios;
  /** Share to add on top of the prediction when planning (shrinks as the fit proves itself). */
  margin: number;
  /** Requests the fit rests on (0: the priors alone). */
  samples: number;
  /** How far off the fit's recent predictions were, in either direction (0 when none yet). */
  recentError: number;
}

/** How many recent predictions decide the margin. */
const RECENT = 3;

/**
 * Learns per-model class ratios from prompt_eval_count. Planning takes the fit plus a margin: 2% on top of the
 * conservative priors at first, then the largest recent under-count of the fit plus 2% (an over-count needs none:
 * it cannot overflow the window).
 */
export class ClassCalibrator {
  constructor(
    private readonly store: ClassCalibrationStore,
    private readonly logger: Logger = silentLogger,
  ) {}

  /** The current estimate for `model` (the priors when it never taught anything). */
  estimate(model: string): ClassEstimate {
    const record = this.record(model);
    const ratios = record.ratios;
    if (record.samples === 0) return { ratios, margin: 0.02, samples: 0, recentError: 0 };
    const recent = record.recentErrors.slice(-RECENT);
    const underCount = Math.max(0, ...recent);
    const recentError = Math.max(0, ...recent.map(Math.abs));
    return { ratios, margin: Math.min(0.25, underCount + 0.02), samples: record.samples, recentError };
  }

  /**
   * Learns from one request the model evaluated whole. Callers must not pass a request the server may have cut
   * (a suspected truncation teaches a ratio that is far too low, and every later prompt would shrink for it).
   * Returns the signed error of the prediction made before learning, (actual - predicted) / actual, or undefined when
   * the sample was ignored.
   */
  observe(model: string, sample: ClassSample): number | undefined {
    const gpt2 = rawTokens(sample.counts);
    if (!(sample.modelTokens > 0) || gpt2 < 8) return undefined;
    const record = this.record(model);
    const before = predict(record.ratios, sample.counts, sample.messages);
    const error = (sample.modelTokens - before) / sample.modelTokens;
    record.recent = [...record.recent, { counts: { ...sample.counts }, messages: sample.messages, modelTokens: sample.modelTokens }].slice(-KEPT);
    record.ratios = fit(record.recent);
    record.samples++;
    // The priors' own miss says nothing about the fit (it is learned away by this very sample): only the fit's
    // predictions decide the margin and how much a short count may differ before it looks like a cut.
    if (record.samples > 1) record.recentErrors = [...record.recentErrors, error].slice(-5);
    record.updatedAt = new Date().toISOString();
    void Promise.resolve(this.store.set(model, record)).catch((e: unknown) => this.logger.warn(`calibration for ${model} could not be saved: ${messageOf(e)}`));
    return error;
  }

  private record(model: string): ClassCalibrationRecord {
    const stored = this.store.get(model);
    return stored && stored.version === 5 && typeof stored.ratios?.ratios === 'object' && Array.isArray(stored.recent) ? stored : priorRecord();
  }
}
