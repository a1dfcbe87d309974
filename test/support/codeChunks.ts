// Context chunks of real code for tests that need prompts larger than the window: distinct slices of TypeScript's
// own declaration files, so nothing in them repeats (compression would otherwise send repeated text once and the
// prompt would fit).
import { codeText } from './vocab/corpus';

let corpus: string | undefined;

/** The i-th slice of about `chars` characters of real code, starting on a line. */
export function realCode(i: number, chars = 1500): string {
  corpus ??= codeText(400_000);
  let at = (i * 7919 * 13) % (corpus.length - chars);
  at = corpus.indexOf('\n', at) + 1;
  return corpus.slice(at, at + chars);
}
