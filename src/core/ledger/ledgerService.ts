import type { Logger } from '../runtime';
// The token ledger as the extension uses it: opened lazily on first use (never during activation), at
// <globalStorage>/token-ledger.jsonl so every VS Code window of this user shares it, with limits from settings.
// No `vscode` import: the host passes paths and settings in, so this unit-tests in plain Node.
import { Ledger, type LedgerLimits } from '.';
import type { LedgerHook, LedgerReservation, LedgerReserveRequest } from './hook';
import type { PlanAdvice } from './types';

export interface LedgerServiceOptions {
  path: string;
  limits: LedgerLimits;
  logger: Logger;
  /** How long a request may wait for the token rate limit before it is refused. */
  maxRateWaitMs?: number;
  /** Told while a request waits for the rate limit ("waiting 12 s for the token rate limit"). */
  onRateWait?: (secondsLeft: number) => void;
}

/** Opens the ledger once, on first use; implements ModelIntegration's LedgerHook. */
export class LedgerService implements LedgerHook {
  private opening: Promise<Ledger> | undefined;
  private limits: LedgerLimits;

  constructor(private readonly options: LedgerServiceOptions) {
    this.limits = options.limits;
  }

  ledger(): Promise<Ledger> {
    this.opening ??= Ledger.open({ path: this.options.path, limits: this.limits, logger: this.options.logger }).catch((error) => {
      this.opening = undefined; // a later request tries again (the lock holder may have gone away)
      throw error;
    });
    return this.opening;
  }

  setLimits(limits: LedgerLimits): void {
    this.limits = limits;
    void this.opening?.then((l) => l.setLimits(limits)).catch(() => undefined);
  }

  /**
   * Advice before reserving: past 80% of a limit, a smaller request (less context, a smaller answer reserve);
   * at the limit, a refusal, recorded here because no reservation is ever attempted.
   */
  async plan(req: Omit<LedgerReserveRequest, 'signal'>): Promise<PlanAdvice> {
    const ledger = await this.ledger();
    // The real answer reserve (num_predict), not the p90 we hold: a shrunk reserve caps the answer itself.
    const advice = ledger.plan({ user: req.user, conversation: req.conversation, promptTokens: req.promptTokens, completionTokens: req.completionTokens });
    if (advice.level === 'refuse') await ledger.recordRefusal({ ...req, reason: advice.error?.message ?? advice.message });
    return advice;
  }

  /**
   * Reserves what the request will probably need: the prompt, and the 90th percentile of this model's and
   * command's past answers (bounded by num_predict) rather than the worst case.
   */
  async reserve(req: LedgerReserveRequest): Promise<LedgerReservation> {
    const ledger = await this.ledger();
    const completion = ledger.estimateCompletion(req.model, req.command, req.completionTokens);
    // A refusal (quota, rate limit) is recorded by the ledger itself and thrown with its numbers and advice.
    const reservation = await ledger.reserve({
      user: req.user,
      conversation: req.conversation,
      model: req.model,
      command: req.command,
      promptTokens: req.promptTokens,
      completionTokens: completion,
      maxWaitMs: this.options.maxRateWaitMs ?? 60000,
      signal: req.signal,
      onWait: this.options.onRateWait,
    });
    // The p90 is what we hold, not a cap on the answer: commit settles the real count and releases the rest.
    return {
      commit: (actual) => reservation.commit(actual),
      cancel: (consumed) => reservation.cancel(consumed),
      rollback: (reason) => reservation.rollback(reason),
    };
  }

  /** Completion tokens of this model's recent answers to this command (the ledger's request log). */
  async answerLengths(req: { model: string; command: string }): Promise<readonly number[]> {
    return (await this.ledger()).completionSamples(req.model, req.command);
  }

  async close(): Promise<void> {
    const opening = this.opening;
    this.opening = undefined;
    if (opening) await (await opening.catch(() => undefined))?.close();
  }
}
