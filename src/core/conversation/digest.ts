// The deterministic stand-in for a model's summary, used when the summarize model fails, is refused or answers
// nothing usable: the user's requests verbatim (long ones keep their start and end, marked), the files and symbols
// mentioned, and the first lines of the last answer. Same turns, same digest.
import { EstimateTokenizer } from '../tokens/estimateTokenizer';
import { Meter } from '../tokens/meter';
import { cutMarker, fitText } from '../tokens/truncation';
import type { HistoryMessage } from '../tokens/types';
import { formatCount } from '../../shared/format';
import { mentionsOf } from './mentions';

export interface DigestOptions {
  /** Counts the digest's tokens (default: the conservative character estimate). */
  meter?: Meter;
  /** The digest's size at most, in the meter's tokens (default 1024). */
  maxTokens?: number;
  /** The turn number of the first user message in `turns` (default 1). */
  firstTurn?: number;
  /** Leave the first user message out of the requests (the summary message keeps it verbatim on its own). */
  skipFirstRequest?: boolean;
  /** Each request keeps at most this many tokens, its start and end (default 160). */
  requestTokens?: number;
  /** Lines of the last answer shown (default 4). */
  answerLines?: number;
}

const DEFAULT_MAX_TOKENS = 1024;
const DEFAULT_REQUEST_TOKENS = 160;
/** Requests are shortened down to this many tokens besides their cut marker before the oldest are left out. */
const MIN_REQUEST_KEPT = 16;
const ANSWER_LINE_TOKENS = 48;
const MAX_LISTED = 40;
const COMPACT_LISTED = 10;

let defaultMeter: Meter | undefined;
/** A meter over the character estimate: deterministic, and errs on the large side. */
function estimateMeter(): Meter {
  if (!defaultMeter) {
    const tokenizer = new EstimateTokenizer();
    defaultMeter = new Meter(tokenizer, (t) => tokenizer.count(t));
  }
  return defaultMeter;
}

interface NumberedRequest {
  turn: number;
  text: string;
}

/** A digest of `turns` (see the file comment), at most `maxTokens` long; what it leaves out, it says. */
export function digestOf(turns: readonly HistoryMessage[], options: DigestOptions = {}): string {
  const meter = options.meter ?? estimateMeter();
  const maxTokens = options.maxTokens ?? DEFAULT_MAX_TOKENS;
  const firstTurn = options.firstTurn ?? 1;
  const requests: NumberedRequest[] = [];
  let turn = firstTurn - 1;
  let lastAnswer: { turn: number; text: string } | undefined;
  for (const m of turns) {
    if (m.role === 'user') {
      turn++;
      if (!(options.skipFirstRequest && turn === firstTurn)) requests.push({ turn, text: m.content });
    } else if (m.role === 'assistant' && m.content.trim()) lastAnswer = { turn: Math.max(turn, firstTurn), text: m.content };
  }
  const lastTurn = Math.max(turn, firstTurn);
  const { files, symbols } = mentionsOf(turns.map((m) => m.content));
  const tailOf = (compact: boolean) => [
    `Files: ${listed(files, compact ? COMPACT_LISTED : MAX_LISTED)}`,
    `Symbols: ${listed(symbols, compact ? COMPACT_LISTED : MAX_LISTED)}`,
    ...(lastAnswer
      ? [`Last answer (turn ${lastAnswer.turn}) began:`, ...answerLines(lastAnswer.text, compact ? 1 : (options.answerLines ?? 4), meter).map((l) => `> ${l}`)]
      : []),
  ];
  const head = `Digest of turns ${firstTurn}-${lastTurn} (made without a model: the user's requests verbatim, the files and symbols mentioned, the last answer's first lines).`;
  const render = (perRequest: number, omitted: number, compact: boolean): string => {
    const lines = [head, 'Requests:'];
    if (requests.length === 0) lines.push(options.skipFirstRequest ? '- none besides the first' : '- none');
    if (omitted > 0) {
      const gone = requests.slice(0, omitted);
      const tokens = gone.reduce((s, r) => s + meter.measure(r.text), 0);
      const span = omitted === 1 ? `Turn ${gone[0].turn}` : `Turns ${gone[0].turn}-${gone[omitted - 1].turn}`;
      lines.push(`- ${span}: ${omitted === 1 ? '1 request' : `${omitted} requests`} (${formatCount(tokens)} tokens) left out of this digest to fit.`);
    }
    for (const r of requests.slice(omitted)) lines.push(`- Turn ${r.turn}: ${r.text.trim() ? fitText(r.text, perRequest, meter, 'middle').text : '(empty)'}`);
    return [...lines, ...tailOf(compact)].join('\n');
  };
  // A shortened request keeps its start and end around a marker: never less than a few tokens of its own.
  const minRequest = meter.measure(`\n${cutMarker(99_999)}\n`) + MIN_REQUEST_KEPT;
  let perRequest = Math.max(minRequest, options.requestTokens ?? DEFAULT_REQUEST_TOKENS);
  let omitted = 0;
  let compact = false;
  for (;;) {
    const text = render(perRequest, omitted, compact);
    if (meter.measure(text) <= maxTokens) return text;
    // Shorter requests first, then the oldest requests go (the newest stays), then shorter lists; at last, a marked cut.
    if (perRequest > minRequest) perRequest = Math.max(minRequest, Math.floor(perRequest / 2));
    else if (omitted < requests.length - 1) omitted++;
    else if (!compact) compact = true;
    else return fitText(text, maxTokens, meter, 'head').text;
  }
}

/** "a, b, c (+3 more)", or "none mentioned". */
function listed(items: readonly string[], max: number): string {
  if (items.length === 0) return 'none mentioned';
  const shown = items.slice(0, max).join(', ');
  return items.length > max ? `${shown} (+${items.length - max} more)` : shown;
}

/** The first non-empty lines of an answer, each kept short. */
function answerLines(text: string, count: number, meter: Meter): string[] {
  return text
    .split('\n')
    .map((l) => l.trimEnd())
    .filter((l) => l.trim().length > 0)
    .slice(0, count)
    .map((l) => fitText(l, ANSWER_LINE_TOKENS, meter, 'head').text.replace(/\n/g, ' '));
}
