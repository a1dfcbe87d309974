// Builds the prompt parts for "Explain Selection": the selection as the user input, and context chunks
// from the same file around it (nearer code is more relevant), the definitions of the symbols it uses (from the
// workspace index, when the host has one), and other open editors (less relevant). The optimizer then cuts by
// relevance, so a huge file loses its farthest code first.

/** A text document as the host sees it, without VS Code types. */
export interface DocumentSnapshot {
  /** Path shown to the user and the model (workspace-relative when possible). */
  path: string;
  languageId: string;
  text: string;
}

/** A context chunk in the shape `TokenCounter.optimizePrompt` takes, with where it is (for the panel's list). */
export interface ExplainChunk {
  id: string;
  source: string;
  text: string;
  relevance: number;
  /** 1-based, inclusive lines of `file` (the document's path). */
  location: { file: string; startLine: number; endLine: number };
  /** Around the selection, a definition the selection uses, or another open editor. */
  origin: 'selection' | 'definition' | 'editor';
}

/** The definition of a symbol the selection uses, found by the host (the workspace index). */
export interface DefinitionSnippet {
  /** The name the selection uses. */
  symbol: string;
  path: string;
  languageId: string;
  /** 1-based, inclusive. */
  startLine: number;
  endLine: number;
  text: string;
}

export interface ExplainRequest {
  document: DocumentSnapshot;
  /** First and last selected line, 0-based, inclusive. */
  startLine: number;
  endLine: number;
  /** The selected text exactly as selected (may start or end mid-line). */
  selectedText: string;
  otherEditors?: DocumentSnapshot[];
  /** Definitions of the symbols the selection uses, most relevant first (the host leaves out the selection's own file). */
  definitions?: DefinitionSnippet[];
  /** Lines per context chunk. Smaller chunks let the optimizer keep more of the nearest code. */
  chunkLines?: number;
}

export interface ExplainPrompt {
  systemPrompt: string;
  userInput: string;
  chunks: ExplainChunk[];
  /** What the panel shows above the answer, e.g. `src/app.ts, lines 10-24`. */
  title: string;
}

export const EXPLAIN_SYSTEM_PROMPT = [
  'You are Therapist, a careful senior engineer explaining code to a colleague inside their editor.',
  'Explain what the selected code does, why it is written this way, and anything surprising: edge cases, bugs, performance traps.',
  'Refer to the surrounding code only where it changes the meaning. Be concise; use short code blocks when they help.',
].join(' ');

// Tiers, so every chunk of the selected file outranks every chunk of another editor:
// same file (0.5, 1], nearest first; other editors (0, 0.4], most recently used first.
// Definitions of what the selection uses rank just below the two nearest steps of the same file, (0.7, 0.74]:
// what `retry(request)` does matters more than code a hundred lines away, less than the lines around it.
const sameFileRelevance = (step: number) => 0.5 + 0.5 / (1 + step);
const definitionRelevance = (index: number) => 0.7 + 0.04 / (1 + index);
const otherEditorRelevance = (editorIndex: number, part: number) => 0.4 / (1 + editorIndex + part);

/** Builds the Explain Selection prompt: selection as user input, surrounding code as ranked context chunks. */
export function buildExplainPrompt(req: ExplainRequest): ExplainPrompt {
  const { document, startLine, endLine } = req;
  const chunkLines = Math.max(1, req.chunkLines ?? 30);
  const lines = splitLines(document.text);
  const title = `${document.path}, ${startLine === endLine ? `line ${startLine + 1}` : `lines ${startLine + 1}-${endLine + 1}`}`;
  const userInput = `Explain this code from ${title}:\n\n${fence(document.languageId, req.selectedText)}`;

  const chunks: ExplainChunk[] = [];
  // Same file: walk outwards from the selection, one block above and one below per step.
  for (let step = 0; ; step++) {
    const aboveEnd = startLine - step * chunkLines; // exclusive
    const belowStart = endLine + 1 + step * chunkLines;
    if (aboveEnd <= 0 && belowStart >= lines.length) break;
    const relevance = sameFileRelevance(step);
    if (aboveEnd > 0) chunks.push(fileChunk(document, lines, Math.max(0, aboveEnd - chunkLines), aboveEnd, relevance, 'selection'));
    if (belowStart < lines.length) chunks.push(fileChunk(document, lines, belowStart, Math.min(lines.length, belowStart + chunkLines), relevance, 'selection'));
  }
  (req.definitions ?? [])
    .filter((d) => d.path !== document.path)
    .forEach((d, index) => {
      const location = { file: d.path, startLine: d.startLine, endLine: d.endLine };
      const source = `${d.path}:${d.startLine}-${d.endLine}`;
      const text = `Definition of ${d.symbol}, ${d.path} (lines ${d.startLine}-${d.endLine}):\n${fence(d.languageId, d.text)}`;
      chunks.push({ id: `definition:${source}`, source, text, relevance: definitionRelevance(index), location, origin: 'definition' });
    });
  // Other open editors: whole-file chunks, split so one big file cannot crowd out the rest, ranked below the
  // same file's code and in the order the editors were given (most recently used first).
  (req.otherEditors ?? []).forEach((doc, editorIndex) => {
    if (doc.path === document.path) return;
    const docLines = splitLines(doc.text);
    for (let start = 0, part = 0; start < docLines.length; start += chunkLines * 4, part++) {
      const relevance = otherEditorRelevance(editorIndex, part);
      chunks.push(fileChunk(doc, docLines, start, Math.min(docLines.length, start + chunkLines * 4), relevance, 'editor'));
    }
  });
  return { systemPrompt: EXPLAIN_SYSTEM_PROMPT, userInput, chunks, title };
}

function fileChunk(doc: DocumentSnapshot, lines: string[], start: number, end: number, relevance: number, origin: ExplainChunk['origin']): ExplainChunk {
  const source = `${doc.path}:${start + 1}-${end}`;
  return {
    id: source,
    source,
    relevance,
    text: `${doc.path} (lines ${start + 1}-${end}):\n${fence(doc.languageId, lines.slice(start, end).join('\n'))}`,
    location: { file: doc.path, startLine: start + 1, endLine: end },
    origin,
  };
}

function splitLines(text: string): string[] {
  return text.length === 0 ? [] : text.split(/\r?\n/);
}

/** A fenced block that cannot be closed early by backticks inside the code. */
export function fence(languageId: string, code: string): string {
  const longest = Math.max(2, ...Array.from(code.matchAll(/`+/g), (m) => m[0].length));
  const ticks = '`'.repeat(longest + 1);
  return `${ticks}${languageId}\n${code}\n${ticks}`;
}
