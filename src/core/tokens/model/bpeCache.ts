import type { BpeBuildStats, BpeModelData, SpecialToken } from './bpeData';
import { BpeCacheError } from './modelTokenizerErrors';

// The disk form of an exact tokenizer, so the 10 MB `/api/show` answer is parsed once per model digest (the caller
// stores the string keyed by digest). Line 1 names the format, line 2 is a JSON header, the rest is tiktoken's rank
// file as is: loading is one JSON.parse of a few KB plus tiktoken's own constructor.

// 2: special tokens follow llama.cpp's load-time attribute rules (tokenAttributes.ts), as the SentencePiece ones do.
const MAGIC = 'therapist-bpe 2';

interface Header {
  pre: string;
  nTokens: number;
  specials: [id: number, text: string, control: 0 | 1][];
  bosId: number;
  eosId: number | null;
  addBos: boolean;
  addEos: boolean;
  rankToId: number[] | null;
  stats: BpeBuildStats;
}

/** The cache form of a tokenizer's data (a string; write it as UTF-8). */
export function serializeBpe(data: BpeModelData): string {
  const header: Header = {
    pre: data.pre,
    nTokens: data.nTokens,
    specials: data.specials.map((s) => [s.id, s.text, s.control ? 1 : 0]),
    bosId: data.bosId,
    eosId: data.eosId ?? null,
    addBos: data.addBos,
    addEos: data.addEos,
    rankToId: data.rankToId ? Array.from(data.rankToId) : null,
    stats: data.stats,
  };
  return `${MAGIC}\n${JSON.stringify(header)}\n${data.ranks}`;
}

/** Reads serializeBpe's output back; throws BpeCacheError when it is damaged or from another format version. */
export function parseBpeCache(serialized: string): BpeModelData {
  const first = serialized.indexOf('\n');
  const second = first < 0 ? -1 : serialized.indexOf('\n', first + 1);
  if (first < 0 || serialized.slice(0, first) !== MAGIC) {
    throw new BpeCacheError(`it does not start with "${MAGIC}" (got "${serialized.slice(0, Math.min(40, Math.max(first, 0) || 40))}")`);
  }
  if (second < 0) throw new BpeCacheError('the header line is not terminated');
  let header: Header;
  try {
    header = JSON.parse(serialized.slice(first + 1, second)) as Header;
  } catch (e) {
    throw new BpeCacheError(`the header is not JSON (${(e as Error).message})`);
  }
  const ranks = serialized.slice(second + 1);
  const ok =
    typeof header.pre === 'string' &&
    Number.isInteger(header.nTokens) &&
    Array.isArray(header.specials) &&
    Number.isInteger(header.bosId) &&
    typeof header.addBos === 'boolean' &&
    typeof header.addEos === 'boolean' &&
    ranks.length > 0;
  if (!ok) throw new BpeCacheError('the header lacks fields or the rank table is empty');
  const specials: SpecialToken[] = header.specials.map(([id, text, control]) => ({ id, text, control: control === 1 }));
  return {
    pre: header.pre,
    nTokens: header.nTokens,
    ranks,
    rankToId: header.rankToId ? Int32Array.from(header.rankToId) : undefined,
    specials,
    bosId: header.bosId,
    eosId: header.eosId ?? undefined,
    addBos: header.addBos,
    addEos: header.addEos,
    stats: header.stats,
  };
}
