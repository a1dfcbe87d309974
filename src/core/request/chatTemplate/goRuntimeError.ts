/**
 * An error raised while evaluating Go values (fmt, json, builtins), before the executor knows where in
 * the template it happened; the executor turns it into a positioned TemplateError.
 */
export class GoRuntimeError extends Error {
  constructor(
    readonly detail: string,
    /** True when Go would succeed but Therapist cannot reproduce the result exactly. */
    readonly unsupported = false,
  ) {
    super(detail);
    this.name = 'GoRuntimeError';
  }
}
