import { OllamaStreamError } from './errors';
import type { ChatChunk } from './wire';

/** Longest line accepted (a /api/generate `context` array can be megabytes; anything beyond this is broken). */
export const MAX_LINE_CHARS = 64 * 1024 * 1024;

/**
 * Splits a byte stream into NDJSON lines. UTF-8 is decoded with a streaming decoder, so a character split
 * across two network reads is joined before decoding; a line split across reads is kept in pieces (not
 * re-concatenated on every read) so very long lines stay linear in time.
 */
export class NdjsonLineSplitter {
  private readonly decoder = new TextDecoder('utf-8');
  private pieces: string[] = [];
  private pendingChars = 0;

  /** Feeds one read; returns the complete, non-blank lines it finished. */
  push(bytes: Uint8Array): string[] {
    return this.take(this.decoder.decode(bytes, { stream: true }));
  }

  /** Flushes the decoder at end of stream; returns the last line when the body did not end with a newline. */
  end(): string[] {
    const lines = this.take(this.decoder.decode());
    const rest = this.pieces.join('');
    this.pieces = [];
    this.pendingChars = 0;
    if (rest.trim() !== '') lines.push(stripCr(rest));
    return lines;
  }

  private take(text: string): string[] {
    const lines: string[] = [];
    let start = 0;
    let nl = text.indexOf('\n');
    while (nl !== -1) {
      const head = text.slice(start, nl);
      const line = this.pieces.length ? this.pieces.join('') + head : head;
      this.pieces = [];
      this.pendingChars = 0;
      if (line.trim() !== '') lines.push(stripCr(line));
      start = nl + 1;
      nl = text.indexOf('\n', start);
    }
    if (start < text.length) {
      const tail = start === 0 ? text : text.slice(start);
      this.pendingChars += tail.length;
      if (this.pendingChars > MAX_LINE_CHARS) {
        throw new OllamaStreamError('unparseable', `a line longer than ${MAX_LINE_CHARS} characters`);
      }
      this.pieces.push(tail);
    }
    return lines;
  }
}

function stripCr(line: string): string {
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}

/** Parses one NDJSON line into a chunk; anything that is not a JSON object is a protocol error, never skipped. */
export function parseChunkLine(line: string): ChatChunk {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw new OllamaStreamError('unparseable', `an unparseable line: ${preview(line)}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new OllamaStreamError('unparseable', `a line that is not a JSON object: ${preview(line)}`);
  }
  return value as ChatChunk;
}

function preview(line: string): string {
  return JSON.stringify(line.length > 120 ? `${line.slice(0, 120)}…` : line);
}
