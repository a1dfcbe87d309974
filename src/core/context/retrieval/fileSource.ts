import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { messageOf } from '../../runtime';
import { isBinaryContent, isGeneratedContent } from './fileFilter';

// How the index gets a file's text: from the host (an unsaved editor, a virtual file system) or from disk.

/** A file as the host lists it. */
export interface WorkspaceFile {
  /** Workspace-relative path with `/` separators: what chunks, results and the model see. */
  path: string;
  /** Absolute path to read when `text` is not given (default: `root` + `path`). */
  fsPath?: string;
  /** The content, when the host has it. */
  text?: string;
  /** From the host's stat, when it has one: a reopen then skips reading files whose size and mtime match. */
  size?: number;
  mtimeMs?: number;
}

/** What reading a file gave. */
export type ReadOutcome =
  | { status: 'ok'; text: string; size: number; mtimeMs?: number; hash: string }
  | { status: 'too-large'; size: number }
  | { status: 'binary' }
  | { status: 'generated' }
  | { status: 'unreadable'; reason: string };

/** `a\b\c` and `./a/b` as `a/b/c` and `a/b`: one spelling per file. */
export function normalisePath(p: string): string {
  return p
    .replace(/\\/g, '/')
    .replace(/^(\.\/)+/, '')
    .replace(/\/{2,}/g, '/');
}

/** SHA-1 of content, hex: the key that says a file did not change. */
export function contentHash(bytes: Uint8Array | string): string {
  return createHash('sha1').update(bytes).digest('hex');
}

function fsPathOf(file: WorkspaceFile, root: string | undefined): string | undefined {
  return file.fsPath ?? (root ? path.join(root, file.path) : undefined);
}

/** Size and mtime from disk, for files the host listed without them; undefined when it cannot stat. */
export async function statFile(file: WorkspaceFile, root: string | undefined): Promise<{ size: number; mtimeMs: number } | undefined> {
  if (file.size !== undefined && file.mtimeMs !== undefined) return { size: file.size, mtimeMs: file.mtimeMs };
  const where = fsPathOf(file, root);
  if (!where || file.text !== undefined) return undefined;
  try {
    const s = await stat(where);
    return { size: s.size, mtimeMs: s.mtimeMs };
  } catch {
    return undefined;
  }
}

/** Reads one file and classifies it: text to index, or why not. Never throws for a bad file. */
export async function readWorkspaceFile(
  file: WorkspaceFile,
  root: string | undefined,
  limits: { maxFileBytes: number; skipGenerated: boolean },
): Promise<ReadOutcome> {
  let bytes: Buffer;
  let mtimeMs = file.mtimeMs;
  if (file.text !== undefined) {
    const size = Buffer.byteLength(file.text, 'utf8');
    if (size > limits.maxFileBytes) return { status: 'too-large', size };
    if (file.text.includes('\0')) return { status: 'binary' };
    if (limits.skipGenerated && isGeneratedContent(file.text)) return { status: 'generated' };
    return { status: 'ok', text: file.text, size, mtimeMs, hash: contentHash(file.text) };
  }
  const where = fsPathOf(file, root);
  if (!where) return { status: 'unreadable', reason: 'no text, no fsPath and no workspace root' };
  try {
    const s = await stat(where);
    if (!s.isFile()) return { status: 'unreadable', reason: 'not a regular file' };
    if (s.size > limits.maxFileBytes) return { status: 'too-large', size: s.size };
    mtimeMs = s.mtimeMs;
    bytes = await readFile(where);
  } catch (error) {
    return { status: 'unreadable', reason: (error as NodeJS.ErrnoException).code ?? messageOf(error) };
  }
  if (bytes.length > limits.maxFileBytes) return { status: 'too-large', size: bytes.length };
  if (isBinaryContent(bytes)) return { status: 'binary' };
  // A UTF-8 byte order mark is not text the model should see.
  const text = bytes.toString('utf8', bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0);
  if (limits.skipGenerated && isGeneratedContent(text)) return { status: 'generated' };
  return { status: 'ok', text, size: bytes.length, mtimeMs, hash: contentHash(bytes) };
}
