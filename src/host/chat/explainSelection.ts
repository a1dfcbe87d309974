import * as vscode from 'vscode';
import { buildExplainPrompt, type DefinitionSnippet, type DocumentSnapshot } from '../../core/context/explainContext';
import type { AskRequest } from './chatController';

/** Finds the definitions of the names a selection uses (the workspace index); `file` is the selection's workspace path. */
export type DefinitionFinder = (selection: { file: string; text: string }) => Promise<DefinitionSnippet[]>;

/**
 * "Therapist: Explain Selection": the selection becomes the question, the code around it, the definitions of
 * what it uses (when `definitions` is given) and other open editors become ranked context, and the answer streams
 * into the chat panel under a message naming the file and lines. Returns false (after telling the user) when there
 * is nothing selected.
 */
export async function explainSelection(ask: (request: AskRequest) => Promise<void>, definitions?: DefinitionFinder): Promise<boolean> {
  const editor = vscode.window.activeTextEditor;
  if (!editor || editor.selection.isEmpty || editor.document.getText(editor.selection).trim() === '') {
    void vscode.window.showInformationMessage('Therapist: select some code first, then run "Explain Selection" (also in the editor\'s right-click menu).');
    return false;
  }
  const { document, selection } = editor;
  // A selection that ends at column 0 of the next line does not include that line.
  const endLine = selection.end.character === 0 && selection.end.line > selection.start.line ? selection.end.line - 1 : selection.end.line;
  const current = snapshot(document);
  const selectedText = document.getText(selection);
  // An index that cannot answer adds no definitions; the explanation goes ahead without them.
  const found = definitions ? await definitions({ file: current.path, text: selectedText }).catch(() => []) : [];
  const prompt = buildExplainPrompt({
    document: current,
    startLine: selection.start.line,
    endLine,
    selectedText,
    otherEditors: otherOpenDocuments(document).map(snapshot),
    definitions: found,
  });
  await ask({
    prompt: prompt.userInput,
    title: `Explain ${prompt.title}`,
    context: prompt.chunks,
    systemPrompt: prompt.systemPrompt,
    command: 'explainSelection',
  });
  return true;
}

// The workspace path as the index spells it: prefixed with the folder's name only in a multi-root workspace.
function snapshot(doc: vscode.TextDocument): DocumentSnapshot {
  return { path: vscode.workspace.asRelativePath(doc.uri), languageId: doc.languageId, text: doc.getText() };
}

/** Text documents open in editor tabs (visible ones first), excluding the active one. */
function otherOpenDocuments(active: vscode.TextDocument): vscode.TextDocument[] {
  const byUri = new Map(vscode.workspace.textDocuments.map((d) => [d.uri.toString(), d]));
  const seen = new Set([active.uri.toString()]);
  const out: vscode.TextDocument[] = [];
  const add = (uri: vscode.Uri | undefined) => {
    const key = uri?.toString();
    const doc = key ? byUri.get(key) : undefined;
    if (key && doc && !seen.has(key)) {
      seen.add(key);
      out.push(doc);
    }
  };
  for (const e of vscode.window.visibleTextEditors) add(e.document.uri);
  for (const group of vscode.window.tabGroups.all) {
    for (const tab of group.tabs) if (tab.input instanceof vscode.TabInputText) add(tab.input.uri);
  }
  return out;
}
