import type { ErrorCode } from '../shared/errorCodes';
/**
 * The base of every error Therapist shows a user. Each carries the facts (numbers, URLs, statuses)
 * in its message and fields, plus `advice`: what the user can do about it. The host maps `actions`
 * to buttons ("Retry", "Open Settings", ...); the core only names them.
 */
export type ErrorAction = 'retry' | 'openSettings' | 'openLog' | 'copyPullCommand' | 'newConversation' | 'reduceContext' | 'wait';

export abstract class TherapistError extends Error {
  /** A stable, machine-readable code for tests, logs and the webview protocol. */
  abstract readonly code: ErrorCode;
  /** One or two sentences telling the user what to do next. */
  readonly advice: string;
  /** Actions the UI should offer with this error, most useful first. */
  readonly actions: readonly ErrorAction[];

  constructor(message: string, advice: string, actions: readonly ErrorAction[] = [], options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.advice = advice;
    this.actions = actions;
  }
}

/** A configuration value is out of range or inconsistent with the others. Never clamped silently. */
export class ConfigurationError extends TherapistError {
  readonly code = 'config';
  constructor(
    readonly setting: string,
    readonly value: unknown,
    readonly validRange: string,
    detail?: string,
  ) {
    super(
      `Invalid setting ${setting} = ${JSON.stringify(value)}: ${detail ?? `must be ${validRange}`}.`,
      `Fix ${setting} in your settings (valid: ${validRange}).`,
      ['openSettings'],
    );
  }
}
