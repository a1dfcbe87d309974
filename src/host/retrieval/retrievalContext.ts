// The chat's context from the workspace index: for a typed question, the best-ranked chunks (the conversation's
// excluded files left out) plus the chunks of its pinned files; for Explain Selection, the definitions of the names
// the selection uses. Chunks carry the fused score as their relevance, so the token engine's "least relevant first"
// cut drops what is least relevant to this question. No `vscode`: the host passes in what it knows.
import type { DefinitionSnippet } from '../../core/context/explainContext';
import type { AskRequest, ProvidedContext } from '../chat/chatController';
import type { ContextLocation } from '../../protocol/context';
import { chunkFromHit, type LocatedChunk } from './contextChunks';
import type { ContextPins } from './contextPins';
import type { RetrievalInfo } from './contextReport';
import { pickDefinitions, usedNames } from './definitions';
import { MAX_CHUNKS, pickHits, questionQuery, takenKey } from './retrievalQuery';
import type { WorkspaceSearch } from './workspaceSearch';

/** Whether the index can be asked now. */
export type RetrievalAvailability =
  | { state: 'off' }
  /** No folder open, the index stopped, ...: `note` says what. */
  | { state: 'unavailable'; note: string }
  /** Searchable; `note` says what the user should know (still indexing, lexical only by choice). */
  | { state: 'ready'; note?: string };

/** Where the user is, as workspace paths. */
export interface EditorHints {
  selection?: ContextLocation;
  /** Recently edited files, most recent first. */
  recentFiles: string[];
}

export interface RetrievalContextOptions {
  search: WorkspaceSearch;
  pins: ContextPins;
  availability: () => RetrievalAvailability;
  where: () => EditorHints;
  /** Tokens the context section of the next prompt can hold (the engine, fitting the prompt, has the last word). */
  contextRoom: () => number | Promise<number>;
  /** The questions asked before `prompt` in the conversation, oldest first (see questionsBefore). */
  earlierQuestions: (conversationId: string, prompt: string) => string[];
}

/** Pinned chunks rank above every retrieved one (fused scores stay far below 1). */
const PINNED_RELEVANCE = 1;

export class RetrievalContext {
  constructor(private readonly o: RetrievalContextOptions) {}

  /** The chat controller's context provider. Never throws: an index that cannot answer gives no chunks and says why. */
  async provide(request: AskRequest, conversationId: string, signal: AbortSignal): Promise<ProvidedContext | undefined> {
    const base = { pinned: this.o.pins.pinned(conversationId), excluded: this.o.pins.excluded(conversationId) };
    const available = this.o.availability();
    if (available.state === 'off') return { chunks: [], retrieval: { retrieval: 'off', ...base } };
    if (available.state === 'unavailable') return { chunks: [], retrieval: { retrieval: 'unavailable', note: available.note, ...base } };
    const query = request.command ? request.prompt : questionQuery(request.prompt, this.o.earlierQuestions(conversationId, request.prompt));
    const room = await this.o.contextRoom();
    const excluded = (file: string) => this.o.pins.isExcluded(conversationId, file);
    const notes: string[] = available.note ? [available.note] : [];
    const chunks: LocatedChunk[] = [];
    const taken = new Set<string>();
    for (const file of base.pinned) {
      const found = pickHits(await this.o.search.chunksOf(file, query, MAX_CHUNKS), { room, excluded: () => false, anyEvidence: true });
      if (found.length === 0) notes.push(`${file} is pinned but not in the workspace index (ignored, too large, or not indexed yet).`);
      for (const f of found) {
        taken.add(takenKey(f));
        chunks.push(chunkFromHit(f.hit, f.file, 'pinned', PINNED_RELEVANCE + f.hit.score));
      }
    }
    if (signal.aborted) return undefined;
    // A command brings its own context (Explain Selection adds definitions itself): pins only, no search.
    if (request.command) return { chunks, retrieval: info('not-used', notes, base) };
    const where = this.o.where();
    const response = await this.o.search.search(query, { limit: 2 * MAX_CHUNKS + taken.size, selection: where.selection, recentFiles: where.recentFiles });
    if (signal.aborted) return undefined;
    for (const f of pickHits(response.hits, { room, excluded, taken })) chunks.push(chunkFromHit(f.hit, f.file, 'retrieved', f.hit.score));
    if (response.note) notes.push(response.note);
    return { chunks, retrieval: info(response.semantic ? 'semantic' : 'lexical', notes, base) };
  }

  /** Definitions of the names `selection.text` uses, from other files of the workspace (Explain Selection). */
  async definitionsFor(selection: { file: string; text: string }, conversationId: string): Promise<DefinitionSnippet[]> {
    if (this.o.availability().state !== 'ready') return [];
    const names = usedNames(selection.text);
    // One lexical search per name: its own symbol field makes a definition rank first, which one query over
    // all names (the 32 rarest terms of them) would not do for the common ones.
    const hitsByName = await Promise.all(names.map(async (name) => [name, (await this.o.search.search(name, { limit: 10, semantic: false })).hits] as const));
    return pickDefinitions(hitsByName, selection.file, (file) => this.o.pins.isExcluded(conversationId, file));
  }
}

function info(retrieval: RetrievalInfo['retrieval'], notes: string[], base: Pick<RetrievalInfo, 'pinned' | 'excluded'>): RetrievalInfo {
  return { retrieval, note: notes.length ? notes.join(' ') : undefined, ...base };
}
