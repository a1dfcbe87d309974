import type { Tokenizer } from '../../tokenizer';
import type { SpmSettings } from './spmAttributes';
import { SpmEncoder } from './spmEncoder';
import { SpecialMatcher } from './spmPartition';
import { type SpmTable, tokenText } from './spmVocabTable';

/** Everything a SentencePiece tokenizer needs, as built from the GGUF arrays or loaded from the cache form. */
export interface SpmModel {
  table: SpmTable;
  settings: SpmSettings;
  /** Special-token ids in llama.cpp's match order (see loadSpmAttributes). */
  specials: Int32Array;
}

/** Options of SpmTokenizer.tokenize, named as in llama.cpp's `llama_tokenize`. */
export interface SpmTokenizeOptions {
  /** Put BOS first (and EOS last) when the vocabulary asks for them. Default false. */
  addSpecial?: boolean;
  /** Match CONTROL and UNKNOWN token texts in the input (USER_DEFINED ones are always matched). Default false. */
  parseSpecial?: boolean;
}

/** Ids and the code-point-aligned UTF-16 span of each token. */
interface Spans {
  ids: number[];
  starts: number[];
  ends: number[];
}

/**
 * Exact token counts for a SentencePiece ("llama") vocabulary as llama.cpp's llama-server (Ollama 0.30+) computes
 * them: special-token partition, space prefix after special tokens, score-ordered pair merges, byte fallback.
 * See src/core/tokens/model/spm/README.md for what is reproduced and what is not.
 */
export class SpmTokenizer implements Tokenizer {
  readonly name = 'spm';
  readonly estimated = false;
  readonly splitsAfterNewline: boolean;
  private readonly encoder: SpmEncoder;
  private readonly plain: SpecialMatcher;
  private parsing: SpecialMatcher | undefined;
  private disposed = false;

  constructor(private readonly model: SpmModel) {
    this.encoder = new SpmEncoder(model.table);
    this.plain = new SpecialMatcher(model.table, model.specials, false);
    this.splitsAfterNewline = computeSplitsAfterNewline(model, this.plain);
  }

  /** The vocabulary and settings this tokenizer runs on (serializeSpm stores them). */
  get spmModel(): SpmModel {
    return this.model;
  }

  /** The flags llama.cpp tokenizes with for this vocabulary (defaults applied). */
  get settings(): Readonly<SpmSettings> {
    return this.model.settings;
  }

  /**
   * Tokens of `text` as it sits inside a prompt: special-token texts typed in it are plain characters (only
   * USER_DEFINED tokens are matched, as llama.cpp always does), no BOS, and no space prefix at its start.
   */
  count(text: string): number {
    return this.run(wellFormed(text), false, false, false);
  }

  /**
   * Token ids exactly as llama.cpp's `llama_tokenize(vocab, text, add_special, parse_special)` returns them,
   * including its space prefix before the first fragment and after every special token when add_space_prefix.
   */
  tokenize(text: string, options: SpmTokenizeOptions = {}): number[] {
    const spans = newSpans();
    this.run(wellFormed(text), options.addSpecial ?? false, options.parseSpecial ?? false, true, spans);
    return spans.ids;
  }

  /**
   * Tokens the server evaluates for a prompt rendered by Ollama's Go template: Ollama strips a leading BOS text
   * when the GGUF says add_bos_token (`leadingBos`, else "<bos>"), then llama-server tokenizes the string with
   * add_special and parse_special on, so control-token texts anywhere in it, typed by a user or not, are tokens.
   */
  countPrompt(rendered: string, options: { leadingBos?: string } = {}): number {
    let prompt = rendered;
    if (this.model.settings.ollamaStripsBos) {
      if (options.leadingBos && prompt.startsWith(options.leadingBos)) prompt = prompt.slice(options.leadingBos.length);
      else if (prompt.startsWith('<bos>')) prompt = prompt.slice('<bos>'.length);
    }
    return this.run(wellFormed(prompt), true, true, true);
  }

  /** The text of token `id` as stored in the vocabulary (U+2581 for spaces, `<0xHH>` for bytes). */
  tokenText(id: number): string {
    return tokenText(this.model.table, id);
  }

  prefixEnd(text: string, maxTokens: number): number {
    if (maxTokens <= 0 || text.length === 0) return 0;
    const spans = newSpans();
    this.run(wellFormed(text), false, false, false, spans);
    if (spans.ends.length <= maxTokens) return text.length;
    return spans.ends[maxTokens - 1];
  }

  suffixStart(text: string, maxTokens: number): number {
    if (maxTokens <= 0 || text.length === 0) return text.length;
    const spans = newSpans();
    this.run(wellFormed(text), false, false, false, spans);
    const total = spans.starts.length;
    if (total <= maxTokens) return 0;
    return spans.starts[total - maxTokens];
  }

  /** Drops the memoized counts of short text pieces (up to 100k entries); they are rebuilt as text is counted. */
  clearCache(): void {
    this.encoder.clearMemo();
  }

  dispose(): void {
    this.disposed = true;
    this.encoder.clearMemo();
  }

  /** llama_vocab::impl::tokenize for SPM; `prefixFirst` is llama.cpp's initial is_prev_special. */
  private run(text: string, addSpecial: boolean, parseSpecial: boolean, prefixFirst: boolean, spans?: Spans): number {
    if (this.disposed) throw new Error('SpmTokenizer used after dispose()');
    const { settings } = this.model;
    const matcher = parseSpecial ? (this.parsing ??= new SpecialMatcher(this.model.table, this.model.specials, true)) : this.plain;
    const n = text.length;
    let from = 0;
    const sink = spans
      ? (id: number, start: number, end: number): void => {
          spans.ids.push(id);
          spans.starts.push(Math.max(start, from));
          spans.ends.push(end);
        }
      : undefined;
    let count = 0;
    let prevSpecial = prefixFirst;
    if (addSpecial && settings.addBos) {
      count++;
      sink?.(settings.bosId, 0, 0);
      prevSpecial = true;
    }
    const fragments = n === 0 ? [] : (matcher.partition(text) ?? [0, n, -1]);
    for (let f = 0; f < fragments.length; f += 3) {
      const start = fragments[f];
      const end = fragments[f + 1];
      const token = fragments[f + 2];
      if (token < 0) {
        from = start;
        count += this.encoder.encode(text, start, end, settings.addSpacePrefix && prevSpecial, sink);
        prevSpecial = false;
      } else {
        count++;
        sink?.(token, start, end);
        prevSpecial = true;
      }
    }
    if (addSpecial && settings.addEos) {
      count++;
      sink?.(settings.eosId, n, n);
    }
    return count;
  }
}

function newSpans(): Spans {
  return { ids: [], starts: [], ends: [] };
}

/** Input as llama-server receives it: Go's JSON decoder turns a lone surrogate into U+FFFD. */
export function wellFormed(text: string): string {
  return LONE_SURROGATE.test(text) ? text.replace(LONE_SURROGATE_ALL, '\uFFFD') : text;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const LONE_SURROGATE_ALL = new RegExp(LONE_SURROGATE.source, 'g');

/**
 * True when no token (special or not) contains "\n" followed by a non-whitespace character, so nothing merges
 * across such a line break, and no special token ending in "\n" adds a space prefix after it.
 */
function computeSplitsAfterNewline(model: SpmModel, plain: SpecialMatcher): boolean {
  const { table } = model;
  const { text, offsets } = table;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) {
    if (i + 1 >= text.length || /\s/.test(text[i + 1])) continue;
    // The next character may belong to the next token of the joined text: find the token holding position i.
    let lo = 0;
    let hi = table.size - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (offsets[mid] <= i) lo = mid;
      else hi = mid - 1;
    }
    if (i + 1 < offsets[lo + 1]) return false;
  }
  if (model.settings.addSpacePrefix && !plain.empty) {
    for (const id of model.specials) {
      if (tokenText(table, id).endsWith('\n')) return false;
    }
  }
  return true;
}
