import { TherapistError } from '../../errors';

/**
 * What went wrong with a chat template:
 * - `parse`: the template is not valid Go text/template (Ollama itself would refuse it);
 * - `unsupported`: valid Go, but uses a construct this interpreter does not render exactly
 *   (`define`, `template`, `block`, `call`, `js`, printing a pointer address, ...);
 * - `exec`: Go would fail while executing it too (Ollama answers HTTP 500 for such a chat);
 * - `request`: the request itself is one Ollama refuses before rendering (e.g. `think` on a model
 *   without the thinking capability).
 */
export type TemplateErrorKind = 'parse' | 'unsupported' | 'exec' | 'request';

/** Where in the template source a problem sits (1-based line and column, 0-based offset). */
export interface TemplatePosition {
  readonly offset: number;
  readonly line: number;
  readonly column: number;
}

/**
 * A chat template could not be rendered exactly as Ollama renders it. The caller then falls back to
 * learning the per-message overhead from the server's `prompt_eval_count`.
 */
export class TemplateError extends TherapistError {
  readonly code = 'chat-template';

  constructor(
    readonly kind: TemplateErrorKind,
    /** The construct at fault, e.g. `{{define}}`, `printf %#v`, `function "foo"`. */
    readonly construct: string,
    /** The Go-style detail, e.g. `unclosed action`, `can't evaluate field Foo in type string`. */
    readonly detail: string,
    readonly position?: TemplatePosition,
  ) {
    const where = position ? ` at line ${position.line}, column ${position.column}` : '';
    super(
      `Chat template ${kindWords[kind]}${where}: ${construct}: ${detail}.`,
      kind === 'request'
        ? 'Change the request (see the message), then retry.'
        : "Therapist cannot predict this model's prompt exactly; it will measure the template overhead from the server's token counts instead.",
      [],
    );
  }
}

const kindWords: Record<TemplateErrorKind, string> = {
  parse: 'does not parse',
  unsupported: 'uses an unsupported construct',
  exec: 'fails to execute',
  request: 'cannot be rendered for this request',
};

/** The 1-based line and column of a byte offset in the source (offsets are UTF-16 indices). */
export function positionAt(source: string, offset: number): TemplatePosition {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < source.length; i++) {
    if (source.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { offset, line, column: offset - lineStart + 1 };
}
