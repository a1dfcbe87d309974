// The measurement behind issue 11's promises, shared by its tests and `npm run bench` (25-exactness): requests of
// mixed content (code, prose, CJK, emoji, CSV, logs) through ModelIntegration against the simulator with REAL
// vocabularies, and what the model then saw: our count vs prompt_eval_count, prompts over the window, silent
// server cuts, false alarms.
import { InMemoryClassCalibrationStore } from '../../src/core/calibration';
import { noticeOf } from '../../src/shared/notices';
import { ModelIntegration, type GenerateResult } from '../../src/modelIntegration';
import type { ContextChunk, HistoryMessage } from '../../src/core/tokens/types';
import type { TokenCounter } from '../../src/tokenCounter';
import { OllamaSimulator } from './ollamaSimulator';
import type { SimVocabName } from './simulator/vocabFacts';
import type { SimModelConfig } from './simulator/models';
import { codeText, csvText, emojiText, lcg, localizedText, logText, proseText } from './vocab/corpus';

export type ContentKind = 'code' | 'prose' | 'cjk' | 'emoji' | 'csv' | 'logs';
export const CONTENT_KINDS: readonly ContentKind[] = ['code', 'prose', 'cjk', 'emoji', 'csv', 'logs'];

let corpora: Record<ContentKind, string> | undefined;
function corpus(kind: ContentKind): string {
  corpora ??= {
    code: codeText(200_000),
    prose: proseText(200_000),
    cjk: `${localizedText('zh-cn').slice(0, 60_000)}\n${localizedText('ja').slice(0, 60_000)}`,
    emoji: emojiText(8000),
    csv: csvText(4000),
    logs: logText(2500),
  };
  return corpora[kind];
}

/** A piece of `kind` of about `chars` characters, from a deterministic place in its corpus, cut on a line. */
export function sample(kind: ContentKind, chars: number, r: () => number): string {
  const text = corpus(kind);
  let at = Math.floor(r() * Math.max(1, text.length - chars));
  at = text.lastIndexOf('\n', at) + 1;
  let piece = text.slice(at, at + chars);
  if (/[\uD800-\uDBFF]$/.test(piece)) piece = piece.slice(0, -1);
  return piece;
}

/** One request's outcome, with what the simulator (the model) saw. */
export interface RequestRecord {
  model: string;
  kind: ContentKind;
  exact: boolean;
  tokenizer: string;
  /** Our count of the prompt sent (the fallback's includes its safety margin), and the fallback's prediction without it. */
  total: number;
  predicted?: number;
  promptEvalCount?: number;
  numCtx: number;
  reserve: number;
  /** The simulator's records of this request's /api/chat calls: status, tokens the model counted, cut or not. */
  sends: { status?: number; promptTokens?: number; truncated?: boolean }[];
  suspected: boolean;
  retried: boolean;
  truncatedByUs: boolean;
}

/** The counts the promises are about. */
export interface RunSummary {
  requests: number;
  exactRequests: number;
  /** Exact requests whose count differed from prompt_eval_count, and the largest relative difference. */
  exactMismatches: number;
  maxExactError: number;
  /** Prompts the model counted longer than the window (refused, or cut by an old server). */
  overWindow: number;
  /** 200 answers where the server cut the prompt. */
  silentCuts: number;
  /** Cuts suspected where the server kept everything. */
  falseAlarms: number;
  refusals: number;
}

/** A request of mixed content: a question, 0-4 context chunks of random kinds and sizes. */
export function mixedRequest(r: () => number, kinds: readonly ContentKind[] = CONTENT_KINDS): { kind: ContentKind; prompt: string; context: ContextChunk[] } {
  const kind = kinds[Math.floor(r() * kinds.length)];
  const question =
    r() < 0.25 ? sample('cjk', 40 + Math.floor(r() * 120), r) : `Explain this ${kind} and what to change: ${sample('prose', 40 + Math.floor(r() * 300), r)}`;
  const n = Math.floor(r() * 5);
  const context: ContextChunk[] = [];
  for (let i = 0; i < n; i++) {
    const k = i === 0 ? kind : kinds[Math.floor(r() * kinds.length)];
    context.push({ text: sample(k, 200 + Math.floor(r() * 5000), r), source: `${k}-${i}.txt`, relevance: Math.floor(r() * 100) });
  }
  return { kind, prompt: question, context };
}

/** Runs `requests` of `next()` through `mi` against `sim`, a conversation of up to `turns` turns, and records each. */
export async function runRequests(
  sim: OllamaSimulator,
  mi: ModelIntegration,
  model: string,
  requests: number,
  next: (i: number) => { kind: ContentKind; prompt: string; context: ContextChunk[] },
  turns = 6,
): Promise<RequestRecord[]> {
  const out: RequestRecord[] = [];
  let history: HistoryMessage[] = [];
  for (let i = 0; i < requests; i++) {
    const req = next(i);
    const before = sim.requests.length;
    const result: GenerateResult = await mi.generateResponse(req.prompt, req.context, { history });
    const sends = sim.requests.slice(before).filter((q) => q.path === '/api/chat');
    out.push({
      model,
      kind: req.kind,
      exact: result.usage.exact,
      tokenizer: result.usage.tokenizer,
      total: result.usage.total,
      predicted: result.usage.predicted,
      promptEvalCount: result.usage.promptEvalCount,
      numCtx: result.usage.limit,
      reserve: result.usage.completionReserve,
      sends: sends.map((q) => ({ status: q.status, promptTokens: q.promptTokens as number | undefined, truncated: q.truncated as boolean | undefined })),
      suspected: result.serverTruncationSuspected,
      retried: noticeOf(result.notices, 'retried') !== undefined,
      truncatedByUs: result.truncated,
    });
    history = [...history, { role: 'user' as const, content: req.prompt }, { role: 'assistant' as const, content: result.text }].slice(-2 * turns);
  }
  return out;
}

/** What the "done when" counts, over records. */
export function summarize(records: readonly RequestRecord[]): RunSummary {
  let exactMismatches = 0;
  let maxExactError = 0;
  let overWindow = 0;
  let silentCuts = 0;
  let falseAlarms = 0;
  let refusals = 0;
  for (const r of records) {
    if (r.exact && r.promptEvalCount !== undefined) {
      const e = Math.abs(r.total - r.promptEvalCount) / r.promptEvalCount;
      if (r.total !== r.promptEvalCount) exactMismatches++;
      maxExactError = Math.max(maxExactError, e);
    }
    for (const s of r.sends) {
      if (s.status === 400) refusals++;
      if (s.status === 400 || s.truncated) overWindow++;
      if (s.status === 200 && s.truncated) silentCuts++;
    }
    if (r.suspected && !r.sends.some((s) => s.truncated)) falseAlarms++;
  }
  return {
    requests: records.length,
    exactRequests: records.filter((r) => r.exact).length,
    exactMismatches,
    maxExactError,
    overWindow,
    silentCuts,
    falseAlarms,
    refusals,
  };
}

/** A simulator serving one real-vocabulary model per name, and ModelIntegrations on it. */
export async function vocabServer(models: (SimModelConfig & { vocab: SimVocabName })[], version = '0.33.0'): Promise<OllamaSimulator> {
  const sim = new OllamaSimulator({ models, version });
  await sim.start();
  return sim;
}

/** A ModelIntegration for `model` on `sim` whose exact tokenizer (when it has one and `exact`) is loaded before it returns. */
export async function integrationFor(
  sim: OllamaSimulator,
  model: string,
  counter: TokenCounter,
  opts: { exact?: boolean; maxTokens?: number } = {},
): Promise<ModelIntegration> {
  const mi = new ModelIntegration({
    ollamaUrl: sim.url,
    model,
    maxTokens: opts.maxTokens ?? 4096,
    tokenCounter: counter,
    calibrationStore: new InMemoryClassCalibrationStore(),
    exactTokenizers: opts.exact ?? true,
  });
  // The panel's meter asks as soon as the model is chosen: that is what starts the background load.
  await mi.getTokenUsageInfo('');
  await mi.whenCountingSettles();
  return mi;
}

/** A seeded random source (re-exported for tests and the bench). */
export const seeded = lcg;
