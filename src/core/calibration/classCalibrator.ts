// When the served model's own tokenizer cannot be read, Therapist counts GPT-2 tokens per content class and learns,
// per model, how many model tokens each class costs, from prompt_eval_count after each request:
//   prompt_eval_count ~ sum over classes of ratio[c] * gpt2Tokens[c] + perMessage * messages + fixed
// One ratio cannot follow content (CJK 0.35, code 0.7, CSV 1.9 for the same model): a ratio per class can.
// The fit is a ridge regression pulled toward conservative priors, with forgetting so that it follows the
// conversation's current content, solved exactly (7 unknowns) after every sample.
import { CONTENT_CLASSES, type ClassCounts, type ContentClass } from '../tokens/contentClasses';
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
 * What a model was assumed to cost before it taught anything: above every vocabulary measured (Llama 3, Qwen3,
 * Gemma 3, DeepSeek V3), so a first request never overflows, yet close enough that it uses most of the window.
 * Digits are the exception that must stay high: Qwen3 and Gemma 3 spend one token per digit.
 */
export const PRIOR: ClassRatios = {
  ratios: { space: 1.0, digit: 3.0, cjk: 0.45, emoji: 1.0, other: 0.96 },
  perMessage: 7,
  fixed: 6,
};

/** The persisted state of one model's fit. */
export interface ClassCalibrationRecord {
  version: 2;
  /** A (7x7, row-major) and b (7) of the normal equations, prior included, forgetting applied. */
  a: number[];
  b: number[];
  /** Requests learned from (decayed count: how much data the fit rests on). */
  weight: number;
  samples: number;
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

const N = CONTENT_CLASSES.length + 2;
/** How strongly the priors hold: worth about this many GPT-2 tokens of evidence per coefficient. */
const PRIOR_STRENGTH = 400;
/** Each new request counts fully, older ones fade (about the last 8 requests matter). */
const FORGET = 0.88;
/** Ratios outside these bounds are a broken sample or an arithmetic accident, never a tokenizer. */
const MIN_RATIO = 0.1;
const MAX_RATIO = 8;

function features(counts: ClassCounts, messages: number): number[] {
  return [...CONTENT_CLASSES.map((c) => counts[c]), messages, 1];
}

function priorVector(): number[] {
  return [...CONTENT_CLASSES.map((c) => PRIOR.ratios[c]), PRIOR.perMessage, PRIOR.fixed];
}

/** A fresh record: only the prior (the template terms are scaled so a few requests can move them). */
function priorRecord(): ClassCalibrationRecord {
  const strengths = [...CONTENT_CLASSES.map(() => PRIOR_STRENGTH), 40, 10];
  const a = new Array<number>(N * N).fill(0);
  const b = new Array<number>(N).fill(0);
  const p = priorVector();
  for (let i = 0; i < N; i++) {
    a[i * N + i] = strengths[i];
    b[i] = strengths[i] * p[i];
  }
  return { version: 2, a, b, weight: 0, samples: 0, recentErrors: [], updatedAt: new Date(0).toISOString() };
}

/** Solves a x = b (Gaussian elimination with partial pivoting; a is small and well conditioned by the prior). */
function solve(aFlat: readonly number[], bIn: readonly number[]): number[] {
  const a = Array.from({ length: N }, (_, i) => aFlat.slice(i * N, i * N + N));
  const b = [...bIn];
  for (let col = 0; col < N; col++) {
    let pivot = col;
    for (let r = col + 1; r < N; r++) if (Math.abs(a[r][col]) > Math.abs(a[pivot][col])) pivot = r;
    [a[col], a[pivot]] = [a[pivot], a[col]];
    [b[col], b[pivot]] = [b[pivot], b[col]];
    const d = a[col][col] || 1e-12;
    for (let r = col + 1; r < N; r++) {
      const f = a[r][col] / d;
      if (f === 0) continue;
      for (let k = col; k < N; k++) a[r][k] -= f * a[col][k];
      b[r] -= f * b[col];
    }
  }
  const x = new Array<number>(N).fill(0);
  for (let r = N - 1; r >= 0; r--) {
    let s = b[r];
    for (let k = r + 1; k < N; k++) s -= a[r][k] * x[k];
    x[r] = s / (a[r][r] || 1e-12);
  }
  return x;
}

function toRatios(x: readonly number[]): ClassRatios {
  const clamp = (v: number) => Math.min(MAX_RATIO, Math.max(MIN_RATIO, v));
  const ratios = Object.fromEntries(CONTENT_CLASSES.map((c, i) => [c, clamp(x[i])])) as Record<ContentClass, number>;
  return { ratios, perMessage: Math.max(0, x[N - 2]), fixed: Math.max(0, x[N - 1]) };
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
    const ratios = toRatios(solve(record.a, record.b));
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
    const x = features(sample.counts, sample.messages);
    const gpt2 = CONTENT_CLASSES.reduce((s, c) => s + sample.counts[c], 0);
    if (!(sample.modelTokens > 0) || gpt2 < 8) return undefined;
    const record = this.record(model);
    const before = predict(toRatios(solve(record.a, record.b)), sample.counts, sample.messages);
    const error = (sample.modelTokens - before) / sample.modelTokens;
    const prior = priorRecord();
    // Forget old evidence (not the prior): A = prior + f * (A - prior) + x x^T, likewise b.
    for (let i = 0; i < N; i++) {
      record.b[i] = prior.b[i] + FORGET * (record.b[i] - prior.b[i]) + x[i] * sample.modelTokens;
      for (let j = 0; j < N; j++) record.a[i * N + j] = prior.a[i * N + j] + FORGET * (record.a[i * N + j] - prior.a[i * N + j]) + x[i] * x[j];
    }
    record.weight = record.weight * FORGET + 1;
    record.samples++;
    record.recentErrors = [...record.recentErrors, error].slice(-5);
    record.updatedAt = new Date().toISOString();
    void Promise.resolve(this.store.set(model, record)).catch((e: unknown) => this.logger.warn(`calibration for ${model} could not be saved: ${messageOf(e)}`));
    return error;
  }

  private record(model: string): ClassCalibrationRecord {
    const stored = this.store.get(model);
    return stored && stored.version === 2 && stored.a.length === N * N && stored.b.length === N ? stored : priorRecord();
  }
}
