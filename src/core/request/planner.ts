// One request's plan, counted in the served model's own tokens: with its exact tokenizer and chat template when
// they can be read (the rendered prompt is counted whole, as the server will, and the plan shrinks until it fits),
// else with GPT-2 per content class and the model's learned ratios plus a margin. The meter and the send path
// both plan here, so what the meter shows is what is sent.
import type { ClassCalibrator, ClassEstimate } from '../calibration/classCalibrator';
import { predict } from '../calibration/classCalibrator';
import type { ChatMessage } from '../ollama/wire';
import { MAX_CALIBRATION } from '../tokens/budgets';
import { addCounts, CONTENT_CLASSES, noCounts, rawTokens, type ClassCounts } from '../tokens/contentClasses';
import type { ClassWeights } from '../tokens/meter';
import type { BudgetShareSettings, ContextChunk, HistoryMessage, OptimizedPrompt } from '../tokens/types';
import type { TokenCounter } from '../../tokenCounter';
import type { ExactTokenizer } from './modelTokenizers';
import type { PromptShape } from './promptShape';
import { buildMessages } from './promptMessages';

/** What to plan: the texts, the window and budgets, and (near a quota) a smaller window or answer reserve. */
export interface PlanRequest {
  systemPrompt: string;
  prompt: string;
  context: readonly ContextChunk[];
  history?: readonly HistoryMessage[];
  /** The effective window (num_ctx). */
  window: number;
  budgets: BudgetShareSettings;
  /** Plan as if the window were this small (the ledger's shrink near a quota, or a refused prompt's re-plan). */
  planWindow?: number;
  /** The answer reserve, instead of 10% of the window. */
  completionReserve?: number;
}

/** How the plan was counted, for the meter, the usage line and the checks after the answer. */
export type Counting =
  | {
      mode: 'exact';
      /** "qwen2 (exact)". */
      label: string;
      tokenizer: ExactTokenizer;
      /** The rendered prompt, when the template could be rendered (else the count rests on the probed overhead). */
      rendered?: string;
      templated: boolean;
    }
  | {
      mode: 'estimate';
      /** "cl100k estimate x1.02". */
      label: string;
      estimate: ClassEstimate;
      /** GPT-2 tokens per class of everything sent, and how many messages: what the fit learns from. */
      features: { counts: ClassCounts; messages: number };
      /** The fit's prediction: what the model is expected to count. */
      expected: number;
      /** Tokens of the window held back for the fit's possible under-count (neither prompt nor answer may use them). */
      safety: number;
    };

/** A plan: the fitted prompt (its total is the model-token count), the messages to send, and how it was counted. */
export interface CountedPlan {
  prompt: OptimizedPrompt;
  messages: ChatMessage[];
  counting: Counting;
}

/** The exact side: a counter over the model's tokenizer, its template shape, and a learned correction. */
export interface ExactSide {
  tokenizer: ExactTokenizer;
  counter: TokenCounter;
  shape: PromptShape;
  label: string;
  bosText?: string;
  /** Tokens the server counted beyond our exact count on earlier requests (0 when the render is exact). */
  correction: number;
}

/** How many times a plan is shrunk when the rendered prompt counts more than planned (always converges in 1-2). */
const MAX_REFITS = 4;

/** Recent rendered prompts' counts per tokenizer: the meter re-plans the same prompt on every keystroke pause. */
const renderedCounts = new WeakMap<ExactTokenizer, Map<string, number>>();
const RENDERED_KEPT = 8;

/** The server's count of a rendered prompt (specials parsed, BOS as the model adds it), remembered for a few prompts. */
function renderedCount(side: ExactSide, rendered: string): number {
  let memo = renderedCounts.get(side.tokenizer);
  if (!memo) renderedCounts.set(side.tokenizer, (memo = new Map()));
  const key = `${side.bosText ?? ''}\u0000${rendered}`;
  let n = memo.get(key);
  if (n === undefined) {
    n = side.tokenizer.countPrompt(rendered, { leadingBos: side.bosText });
    if (memo.size >= RENDERED_KEPT) memo.delete(memo.keys().next().value as string);
    memo.set(key, n);
  }
  return n;
}

/** Plans with the model's own tokenizer: the rendered prompt is counted whole and the plan shrinks until it fits. */
export function planExact(req: PlanRequest, side: ExactSide): CountedPlan {
  const reserve = req.completionReserve;
  let planWindow = req.planWindow ?? req.window;
  let plan: { prompt: OptimizedPrompt; messages: ChatMessage[]; exact: number; rendered?: string } | undefined;
  for (let attempt = 0; attempt < MAX_REFITS; attempt++) {
    const prompt = side.counter.optimizePrompt(req.systemPrompt, req.prompt, req.context, {
      history: req.history,
      calibration: 1,
      perMessageOverhead: side.shape.perMessage,
      promptOverhead: side.shape.fixed,
      maxTokens: planWindow,
      completionReserve: reserve ?? Math.ceil(0.1 * req.window),
      budgets: req.budgets,
      // Before anything is dropped or cut, shrink what can be shrunk (docs/compression.md); a prompt that fits is untouched.
      compress: true,
    });
    const messages = buildMessages(prompt);
    const rendered = side.shape.render?.(messages);
    const exact = (rendered !== undefined ? renderedCount(side, rendered) : prompt.tokenUsage.total) + side.correction;
    plan = { prompt, messages, exact, rendered };
    const room = planWindow - prompt.tokenUsage.completionReserve;
    if (exact <= room) break;
    planWindow -= exact - room;
  }
  const p = plan!;
  return {
    prompt: withWindow(withTotal(p.prompt, p.exact), req.window),
    messages: p.messages,
    counting: { mode: 'exact', label: side.label, tokenizer: side.tokenizer, rendered: p.rendered, templated: p.rendered !== undefined },
  };
}

/**
 * Plans with the fallback's tiktoken vocabulary (cl100k) counted per content class, each class weighed by the
 * model's learned ratio. The count is the fit's prediction; the fit's margin is held back apart, as room the
 * prompt may not use (a safety margin), so the count shown is the best guess and the plan still cannot overflow.
 */
export function planEstimate(req: PlanRequest, base: TokenCounter, estimate: ClassEstimate): CountedPlan {
  const planWindow = req.planWindow ?? req.window;
  const reserve = req.completionReserve ?? Math.ceil(0.1 * req.window);
  // A prompt that fills its room r under-counted by the margin m needs r * (1 + m): hold back m / (1 + m) of it.
  const safety = Math.max(0, Math.ceil(((planWindow - reserve) * estimate.margin) / (1 + estimate.margin)));
  const weights = Object.fromEntries(CONTENT_CLASSES.map((c) => [c, Math.min(MAX_CALIBRATION, estimate.ratios.ratios[c])])) as ClassWeights;
  const planned = base.optimizePrompt(req.systemPrompt, req.prompt, req.context, {
    history: req.history,
    calibration: weights,
    perMessageOverhead: Math.ceil(estimate.ratios.perMessage - 1e-9),
    promptOverhead: Math.ceil(estimate.ratios.fixed - 1e-9),
    maxTokens: planWindow,
    completionReserve: Math.min(planWindow - 1, reserve + safety),
    budgets: req.budgets,
    compress: true,
  });
  // The answer gets its own reserve; the safety margin is not the model's to spend.
  const prompt = withWindow({ ...planned, tokenUsage: { ...planned.tokenUsage, completionReserve: reserve } }, req.window);
  const messages = buildMessages(prompt);
  const counts = noCounts();
  for (const m of messages) addCounts(counts, base.countClasses(m.content));
  const expected = predict(estimate.ratios, counts, messages.length);
  const raw = rawTokens(counts);
  const vocabulary = base.tokenizer.name === 'gpt2' ? 'GPT-2' : base.tokenizer.name.replace(/_base$/, '');
  const label = base.isEstimate ? 'character estimate' : `${vocabulary} estimate x${raw > 0 ? (prompt.tokenUsage.total / raw).toFixed(2) : '1.00'}`;
  return { prompt, messages, counting: { mode: 'estimate', label, estimate, features: { counts, messages: messages.length }, expected, safety } };
}

/** The plan's usage with the exact total; the difference from the planned sections is the template's, reported with the system prompt. */
function withTotal(prompt: OptimizedPrompt, exact: number): OptimizedPrompt {
  const u = prompt.tokenUsage;
  const delta = exact - u.total;
  if (delta === 0) return prompt;
  return { ...prompt, tokenUsage: { ...u, system: Math.max(0, u.system + delta), total: exact, requested: Math.max(exact, u.requested + delta) } };
}

/** The plan's limit is the window, even when it was planned smaller (a quota's shrink, a refused prompt's re-plan). */
function withWindow(prompt: OptimizedPrompt, window: number): OptimizedPrompt {
  return prompt.tokenUsage.limit === window ? prompt : { ...prompt, tokenUsage: { ...prompt.tokenUsage, limit: window } };
}

/** Which side plans a model's request: exact when its tokenizer is ready, else the per-class estimate. */
export function planFor(req: PlanRequest, exact: ExactSide | undefined, gpt2: TokenCounter, calibrator: ClassCalibrator, model: string): CountedPlan {
  return exact ? planExact(req, exact) : planEstimate(req, gpt2, calibrator.estimate(model));
}
