// Builds the prompt parts for "Explain Selection": the selection as the user input, and context chunks
// from the same file around it (nearer code is more relevant) and from other open editors (less relevant).
// The optimizer then cuts by relevance, so a huge file loses its farthest code first.

/** A text document as the host sees it, without VS Code types. */
export interface DocumentSnapshot {
  /** Path shown to the user and the model (workspace-relative when possible). */
  path: string;
  languageId: string;
  text: string;
}

/** A context chunk in the shape `TokenCounter.optimizePrompt` takes. */
export interface ExplainChunk {
  id: string;
  source: string;
  text: string;
  relevance: number;
}

export interface ExplainRequest {
  document: DocumentSnapshot;
  /** First and last selected line, 0-based, inclusive. */
  startLine: number;
  endLine: number;
  /** The selected text exactly as selected (may start or end mid-line). */
  selectedText: string;
  otherEditors?: DocumentSnapshot[];
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

// Two tiers, so every chunk of the selected file outranks every chunk of another editor:
// same file (0.5, 1], nearest first; other editors (0, 0.4], most recently used first.
const sameFileRelevance = (step: number) => 0.5 + 0.5 / (1 + step);
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
    if (aboveEnd > 0) chunks.push(fileChunk(document, lines, Math.max(0, aboveEnd - chunkLines), aboveEnd, relevance));
    if (belowStart < lines.length) chunks.push(fileChunk(document, lines, belowStart, Math.min(lines.length, belowStart + chunkLines), relevance));
  }
  // Other open editors: whole-file chunks, split so one big file cannot crowd out the rest, ranked below the
  // same file's code and in the order the editors were given (most recently used first).
  (req.otherEditors ?? []).forEach((doc, editorIndex) => {
    if (doc.path === document.path) return;
    const docLines = splitLines(doc.text);
    for (let start = 0, part = 0; start < docLines.length; start += chunkLines * 4, part++) {
      const relevance = otherEditorRelevance(editorIndex, part);
      chunks.push(fileChunk(doc, docLines, start, Math.min(docLines.length, start + chunkLines * 4), relevance));
    }
  });
  return { systemPrompt: EXPLAIN_SYSTEM_PROMPT, userInput, chunks, title };
}

function fileChunk(doc: DocumentSnapshot, lines: string[], start: number, end: number, relevance: number): ExplainChunk {
  const source = `${doc.path}:${start + 1}-${end}`;
  return { id: source, source, relevance, text: `${doc.path} (lines ${start + 1}-${end}):\n${fence(doc.languageId, lines.slice(start, end).join('\n'))}` };
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
