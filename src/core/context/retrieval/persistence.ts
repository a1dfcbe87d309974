import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { endianness } from 'node:os';
import path from 'node:path';
import { CorruptIndexError } from './errors';

// The saved index: binary containers written atomically (temp file + rename) and checked on load, so a
// truncated, overwritten or older file is detected and rebuilt, never trusted and never a crash.
//
//   magic (4 bytes) | format u32 LE | header length u32 LE | header JSON | zero padding to 8 |
//   sections, each starting on an 8-byte boundary | SHA-1 of everything before (20 bytes)
//
// The header names each section's offset and length. Typed-array sections are views on the file's
// buffer when aligned (copies otherwise), in the machine's byte order, which the header records.

/** Bumped when the layout or the meaning of a field changes; another version is rebuilt, not read. */
export const INDEX_FORMAT = 1;

interface SectionEntry {
  name: string;
  offset: number;
  length: number;
}

/** What a container holds: a JSON header and named binary sections. */
export interface Container {
  header: Record<string, unknown>;
  sections: Map<string, Buffer>;
}

const align8 = (n: number) => (n + 7) & ~7;

/** Writes a container atomically; returns the bytes written. */
export async function writeContainer(file: string, magic: string, header: Record<string, unknown>, sections: Record<string, ArrayBufferView>): Promise<number> {
  const entries: SectionEntry[] = [];
  let offset = 0;
  for (const [name, view] of Object.entries(sections)) {
    entries.push({ name, offset, length: view.byteLength });
    offset = align8(offset + view.byteLength);
  }
  const json = Buffer.from(JSON.stringify({ ...header, endianness: endianness(), sections: entries }), 'utf8');
  const prefix = Buffer.alloc(12);
  prefix.write(magic, 0, 4, 'latin1');
  prefix.writeUInt32LE(INDEX_FORMAT, 4);
  prefix.writeUInt32LE(json.length, 8);
  const dataStart = align8(12 + json.length);
  const total = dataStart + offset + 20;
  const out = Buffer.alloc(total);
  prefix.copy(out, 0);
  json.copy(out, 12);
  for (const entry of entries) {
    const view = sections[entry.name];
    Buffer.from(view.buffer, view.byteOffset, view.byteLength).copy(out, dataStart + entry.offset);
  }
  createHash('sha1')
    .update(out.subarray(0, total - 20))
    .digest()
    .copy(out, total - 20);
  await mkdir(path.dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(temp, out);
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  return total;
}

/** Reads and checks a container; undefined when the file does not exist. Throws CorruptIndexError. */
export async function readContainer(file: string, magic: string): Promise<Container | undefined> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new CorruptIndexError(file, `unreadable (${(error as Error).message})`);
  }
  const bad = (reason: string) => new CorruptIndexError(file, reason);
  if (bytes.length < 32) throw bad(`only ${bytes.length} bytes`);
  if (bytes.toString('latin1', 0, 4) !== magic) throw bad('not an index file (wrong magic bytes)');
  const format = bytes.readUInt32LE(4);
  if (format !== INDEX_FORMAT) throw bad(`format ${format}, this version reads ${INDEX_FORMAT}`);
  const digest = createHash('sha1')
    .update(bytes.subarray(0, bytes.length - 20))
    .digest();
  if (!digest.equals(bytes.subarray(bytes.length - 20))) throw bad('checksum mismatch (truncated or overwritten)');
  const jsonLength = bytes.readUInt32LE(8);
  if (12 + jsonLength > bytes.length - 20) throw bad('header longer than the file');
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(bytes.toString('utf8', 12, 12 + jsonLength)) as Record<string, unknown>;
  } catch {
    throw bad('header is not JSON');
  }
  if (header.endianness !== endianness()) throw bad(`saved on a ${String(header.endianness)} machine`);
  const dataStart = align8(12 + jsonLength);
  const sections = new Map<string, Buffer>();
  for (const entry of (header.sections ?? []) as SectionEntry[]) {
    const start = dataStart + entry.offset;
    if (
      !Number.isInteger(entry.offset) ||
      !Number.isInteger(entry.length) ||
      entry.offset < 0 ||
      entry.length < 0 ||
      start + entry.length > bytes.length - 20
    ) {
      throw bad(`section ${entry.name} is outside the file`);
    }
    sections.set(entry.name, bytes.subarray(start, start + entry.length));
  }
  return { header, sections };
}

type TypedArrayConstructor<T> = { new (buffer: ArrayBufferLike, byteOffset: number, length: number): T; new (length: number): T; BYTES_PER_ELEMENT: number };

/** A section as a typed array: a view when aligned, else a copy. Throws CorruptIndexError if missing or ragged. */
export function sectionArray<T extends ArrayBufferView>(container: Container, name: string, type: TypedArrayConstructor<T>, file: string): T {
  const section = container.sections.get(name);
  if (!section) throw new CorruptIndexError(file, `section ${name} is missing`);
  const size = type.BYTES_PER_ELEMENT;
  if (section.byteLength % size !== 0) throw new CorruptIndexError(file, `section ${name} is not a whole number of ${size}-byte values`);
  if (section.byteOffset % size === 0) return new type(section.buffer, section.byteOffset, section.byteLength / size);
  const copy = new type(section.byteLength / size);
  Buffer.from(copy.buffer, copy.byteOffset, copy.byteLength).set(section);
  return copy;
}

/** Removes a saved file, ignoring a missing one. */
export async function removeFile(file: string): Promise<void> {
  await rm(file, { force: true });
}

/** Size of a file in bytes, 0 when missing. */
export async function fileSize(file: string): Promise<number> {
  try {
    return (await stat(file)).size;
  } catch {
    return 0;
  }
}
