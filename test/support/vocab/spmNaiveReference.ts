// A literal, slow transcription of llama.cpp's SPM tokenization (llama_vocab::impl::tokenize with
// tokenizer_st_partition and llm_tokenizer_spm_session), for property tests of the fast implementation on small
// vocabularies: specials are cut one token at a time with indexOf, merges pick the best adjacent pair by a full
// scan each step. Token types only (1 normal, 2 unknown, 3 control, 4 user-defined, 6 byte); none of llama.cpp's
// text-based attribute fixes, so test vocabularies must avoid texts like "</s>" or "<eos>".

export interface NaiveVocab {
  tokens: string[];
  scores: number[];
  types: number[];
  addSpacePrefix: boolean;
  addBos: boolean;
  bosId: number;
}

type Fragment = { text: string } | { id: number };

const utf8 = new TextEncoder();

/** Token ids for `text` as llama.cpp's llama_tokenize(vocab, text, addSpecial, parseSpecial) returns them. */
export function naiveTokenize(v: NaiveVocab, text: string, addSpecial: boolean, parseSpecial: boolean, prefixFirst = true): number[] {
  const ids = new Map<string, number>();
  v.tokens.forEach((t, i) => ids.set(t, i));
  const specials = v.tokens
    .map((t, i) => i)
    .filter((i) => v.types[i] === 2 || v.types[i] === 3 || v.types[i] === 4)
    .sort((a, b) => utf8.encode(v.tokens[b]).length - utf8.encode(v.tokens[a]).length || a - b);
  let fragments: Fragment[] = text.length > 0 ? [{ text }] : [];
  for (const id of specials) {
    if (!parseSpecial && (v.types[id] === 2 || v.types[id] === 3)) continue;
    const needle = v.tokens[id];
    const next: Fragment[] = [];
    for (const f of fragments) {
      if (!('text' in f)) {
        next.push(f);
        continue;
      }
      let rest = f.text;
      for (let at = rest.indexOf(needle); at >= 0; at = rest.indexOf(needle)) {
        if (at > 0) next.push({ text: rest.slice(0, at) });
        next.push({ id });
        rest = rest.slice(at + needle.length);
      }
      if (rest.length > 0) next.push({ text: rest });
    }
    fragments = next;
  }
  const out: number[] = [];
  let prevSpecial = prefixFirst;
  if (addSpecial && v.addBos) {
    out.push(v.bosId);
    prevSpecial = true;
  }
  for (const f of fragments) {
    if ('id' in f) {
      out.push(f.id);
      prevSpecial = true;
      continue;
    }
    const raw = (v.addSpacePrefix && prevSpecial ? ' ' : '') + f.text;
    prevSpecial = false;
    const symbols = Array.from(raw.replaceAll(' ', '▁'));
    for (;;) {
      let best = -1;
      let bestScore = -Infinity;
      for (let i = 0; i + 1 < symbols.length; i++) {
        const id = ids.get(symbols[i] + symbols[i + 1]);
        if (id === undefined) continue;
        const score = Math.fround(v.scores[id]);
        if (best < 0 || score > bestScore) {
          best = i;
          bestScore = score;
        }
      }
      if (best < 0) break;
      symbols.splice(best, 2, symbols[best] + symbols[best + 1]);
    }
    for (const s of symbols) {
      const id = ids.get(s);
      if (id !== undefined) {
        out.push(id);
        continue;
      }
      for (const b of utf8.encode(s)) {
        const hex = b.toString(16).toUpperCase().padStart(2, '0');
        const byteId = ids.get(`<0x${hex}>`) ?? (b < 0x80 ? ids.get(String.fromCharCode(b)) : undefined);
        if (byteId === undefined) throw new Error(`no byte token for 0x${hex}`);
        out.push(byteId);
      }
    }
  }
  return out;
}
