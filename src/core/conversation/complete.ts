// How the summarizer asks a model: one injected function, so the conversation core does not depend on
// ModelIntegration, plus the adapter that implements it with anything shaped like ModelIntegration.
import { abortReason } from '../runtime';
import type { ContextChunk, HistoryMessage } from '../tokens/types';

/** One summarize request. */
export interface CompleteRequest {
  system: string;
  prompt: string;
  history?: readonly HistoryMessage[];
  /** The answer's cap in tokens (the summary's cap). */
  numPredict: number;
  signal: AbortSignal;
  /** The ledger command: summarize requests are recorded and counted against quotas under it. */
  command: 'summarize';
  conversationId: string;
}

/** A model's answer to a summarize request. */
export interface CompleteResult {
  text: string;
  promptTokens?: number;
  completionTokens?: number;
  /** True when the request had to be cut to fit the model's window (then the summary would miss part of the turns). */
  truncated?: boolean;
  /** The model that answered. */
  model?: string;
}

/** Sends one summarize request; rejects when the model fails or the ledger refuses it. */
export type CompleteFn = (request: CompleteRequest) => Promise<CompleteResult>;

/** The part of ModelIntegration the adapter uses (structural: no import of the service). */
export interface ResponseGenerator {
  generateResponse(
    prompt: string,
    context: readonly ContextChunk[],
    opts: {
      history?: readonly HistoryMessage[];
      systemPrompt?: string;
      command?: string;
      conversationId?: string;
      signal?: AbortSignal;
      numPredict?: number;
      model?: string;
      think?: 'off';
    },
  ): Promise<{ text: string; cancelled: boolean; truncated: boolean; usage: { model: string; promptEvalCount?: number; evalCount?: number } }>;
}

/**
 * A CompleteFn over ModelIntegration.generateResponse: planned, counted and recorded in the ledger like any request,
 * the answer capped at the summary's cap (num_predict), on `model()` when it names one (therapist.summarize.model).
 */
export function completeVia(generator: ResponseGenerator, model: () => string | undefined = () => undefined): CompleteFn {
  return async (request) => {
    const result = await generator.generateResponse(request.prompt, [], {
      history: request.history,
      systemPrompt: request.system,
      command: request.command,
      conversationId: request.conversationId,
      signal: request.signal,
      numPredict: request.numPredict,
      model: model() || undefined,
      // A thinking model would spend the summary's cap on reasoning.
      think: 'off',
    });
    if (result.cancelled) throw abortReason(request.signal);
    return {
      text: result.text,
      promptTokens: result.usage.promptEvalCount,
      completionTokens: result.usage.evalCount,
      truncated: result.truncated,
      model: result.usage.model,
    };
  };
}
