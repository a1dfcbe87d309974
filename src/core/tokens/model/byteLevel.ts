// GPT-2's byte-level alphabet (openai/gpt-2 encoder.py `bytes_to_unicode`, used by every "gpt2"-model GGUF):
// each of the 256 byte values is written as one printable code point, so a vocabulary of byte strings can be
// stored as text. Printable Latin-1 bytes stand for themselves; the 68 others (controls, space, 0x7F-0xA0, 0xAD)
// are shifted to U+0100..U+0143 in byte order.

const BYTE_TO_CHAR: string[] = new Array<string>(256);
/** Code point (0..0x143) -> byte + 1; 0 = not part of the alphabet. */
const CHAR_TO_BYTE = new Uint16Array(0x144);

{
  let shifted = 0;
  for (let b = 0; b < 256; b++) {
    const printable = (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
    const cp = printable ? b : 0x100 + shifted++;
    BYTE_TO_CHAR[b] = String.fromCharCode(cp);
    CHAR_TO_BYTE[cp] = b + 1;
  }
}

/**
 * Writes the bytes of a byte-level token string into `out` at `at`; returns the byte count, or -1 when the string
 * holds a character outside the 256-character alphabet (then it is not a byte-level token).
 */
export function byteLevelDecodeInto(token: string, out: Uint8Array, at: number): number {
  const n = token.length;
  for (let i = 0; i < n; i++) {
    const cp = token.charCodeAt(i);
    const b = cp < 0x144 ? CHAR_TO_BYTE[cp] : 0;
    if (b === 0) return -1;
    out[at + i] = b - 1;
  }
  return n;
}

/** The bytes a byte-level token string stands for, or undefined when it is not one. */
export function byteLevelDecode(token: string): Uint8Array | undefined {
  const out = new Uint8Array(token.length);
  return byteLevelDecodeInto(token, out, 0) < 0 ? undefined : out;
}

/** The byte-level token string for `bytes` (the inverse of byteLevelDecode). */
export function byteLevelEncode(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += BYTE_TO_CHAR[b];
  return s;
}
