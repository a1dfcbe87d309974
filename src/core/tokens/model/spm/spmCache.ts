import type { SpmSettings } from './spmAttributes';
import { SpmVocabError } from './spmErrors';
import { SpmTokenizer } from './spmTokenizer';
import { buildTableFromText } from './spmVocabTable';

// The compact cache form of a built SentencePiece tokenizer, for the host to keep per model digest instead of
// fetching a 10 MB `/api/show` answer and re-deriving everything. One binary blob, little-endian:
//   "TSPM" | u32 header bytes | header JSON (UTF-8) | pad to 4
//   u16 token lengths (UTF-16 units) | pad | f32 scores | u16 attributes | pad | i32 specials | u16 joined texts
// Attributes and the special-token order are stored final, so loading skips llama.cpp's load-time rules and only
// rebuilds the hash table.

const MAGIC = 0x4d505354; // "TSPM" read as a little-endian u32
const FORMAT_VERSION = 1;

interface Header {
  version: number;
  size: number;
  units: number;
  specials: number;
  maxLen: number;
  settings: SpmSettings;
}

/** The cache form of a tokenizer built by createSpmTokenizer (or loaded by loadSpm). */
export function serializeSpm(tokenizer: SpmTokenizer): Uint8Array {
  const { table, settings, specials } = tokenizer.spmModel;
  const size = table.size;
  const header: Header = { version: FORMAT_VERSION, size, units: table.text.length, specials: specials.length, maxLen: table.maxLen, settings };
  const headerBytes = new TextEncoder().encode(JSON.stringify(header));
  const layout = sections(headerBytes.length, size, specials.length, table.text.length);
  const out = new Uint8Array(layout.total);
  const view = new DataView(out.buffer);
  view.setUint32(0, MAGIC, true);
  view.setUint32(4, headerBytes.length, true);
  out.set(headerBytes, 8);
  const lengths = new Uint16Array(out.buffer, layout.lengths, size);
  for (let i = 0; i < size; i++) lengths[i] = table.offsets[i + 1] - table.offsets[i];
  new Float32Array(out.buffer, layout.scores, size).set(table.scores);
  new Uint16Array(out.buffer, layout.attrs, size).set(table.attrs);
  new Int32Array(out.buffer, layout.specials, specials.length).set(specials);
  const units = new Uint16Array(out.buffer, layout.text, table.text.length);
  for (let i = 0; i < table.text.length; i++) units[i] = table.text.charCodeAt(i);
  return out;
}

/** Rebuilds a tokenizer from serializeSpm's output. Throws SpmVocabError on a truncated, foreign or corrupt blob. */
export function loadSpm(blob: Uint8Array): SpmTokenizer {
  const corrupt = (why: string): SpmVocabError =>
    new SpmVocabError(`The cached SentencePiece vocabulary is unusable (${why}).`, 'Delete the cache entry; it is rebuilt from `/api/show` on next use.');
  if (blob.byteLength < 8) throw corrupt(`${blob.byteLength} bytes`);
  // Typed views need 4-byte alignment: copy a blob that arrives at an odd offset (e.g. a slice of a file buffer).
  const bytes = blob.byteOffset % 4 === 0 ? blob : blob.slice();
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0, true) !== MAGIC) throw corrupt('not a Therapist SentencePiece cache');
  const headerLength = view.getUint32(4, true);
  if (8 + headerLength > bytes.byteLength) throw corrupt('truncated header');
  let header: Header;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength))) as Header;
  } catch {
    throw corrupt('unreadable header');
  }
  if (header.version !== FORMAT_VERSION) throw corrupt(`format version ${String(header.version)}, expected ${FORMAT_VERSION}`);
  const { size, units, maxLen, settings } = header;
  if (![size, units, header.specials, maxLen].every((x) => Number.isInteger(x) && x >= 0) || size === 0) throw corrupt('bad header counts');
  const layout = sections(headerLength, size, header.specials, units);
  if (layout.total !== bytes.byteLength) throw corrupt(`${bytes.byteLength} bytes where the header promises ${layout.total}`);
  const base = bytes.byteOffset;
  const lengths = new Uint16Array(bytes.buffer, base + layout.lengths, size);
  const offsets = new Int32Array(size + 1);
  for (let i = 0; i < size; i++) offsets[i + 1] = offsets[i] + lengths[i];
  if (offsets[size] !== units) throw corrupt('token lengths do not add up to the text');
  const scores = Float64Array.from(new Float32Array(bytes.buffer, base + layout.scores, size));
  const attrs = new Uint16Array(bytes.buffer, base + layout.attrs, size).slice();
  const specials = new Int32Array(bytes.buffer, base + layout.specials, header.specials).slice();
  for (const id of specials) if (id < 0 || id >= size) throw corrupt(`special token id ${id} out of range`);
  const text = new TextDecoder('utf-16le').decode(bytes.subarray(layout.text, layout.text + units * 2));
  if (text.length !== units) throw corrupt('text length mismatch');
  const table = buildTableFromText(size, text, offsets, scores, attrs, maxLen);
  return new SpmTokenizer({ table, settings, specials });
}

function sections(headerLength: number, size: number, specials: number, units: number) {
  const align = (x: number): number => (x + 3) & ~3;
  const lengths = align(8 + headerLength);
  const scores = align(lengths + size * 2);
  const attrs = scores + size * 4;
  const specialsAt = align(attrs + size * 2);
  const text = specialsAt + specials * 4;
  return { lengths, scores, attrs, specials: specialsAt, text, total: text + units * 2 };
}
