// One search over the workspace's folders: each folder has its own index (paths relative to it); in a multi-root
// workspace a file is shown and addressed as `<folder name>/<path>`, as VS Code's own asRelativePath does, and the
// folders' results are merged by score (reciprocal-rank scores of separate indexes are on the same scale).
import type { RetrievalIndex, SearchResult } from '../../core/context/retrieval';
import { messageOf } from '../../core/runtime';
import type { ContextLocation } from '../../protocol/context';

/** A workspace folder's index, as the search needs it. */
export interface SearchableFolder {
  /** The folder's name (the prefix of its paths in a multi-root workspace). */
  name: string;
  index: Pick<RetrievalIndex, 'search'>;
}

/** A hit, with its file as the workspace shows it. */
export interface FoundChunk {
  file: string;
  hit: SearchResult;
}

export interface WorkspaceHits {
  hits: FoundChunk[];
  /** Whether vectors took part (in at least one folder). */
  semantic: boolean;
  /** The index's note (e.g. "`ollama pull nomic-embed-text` for semantic search"), or why a folder could not answer. */
  note?: string;
}

export interface WorkspaceSearchOptions {
  limit: number;
  /** Workspace paths (as shown). */
  selection?: ContextLocation;
  recentFiles?: readonly string[];
  semantic?: boolean;
}

export class WorkspaceSearch {
  constructor(private readonly folders: () => readonly SearchableFolder[]) {}

  /** The path shown for a folder-relative one. */
  display(folder: string, path: string): string {
    return this.folders().length > 1 ? `${folder}/${path}` : path;
  }

  /** The folder and folder-relative path of a shown path; undefined when no folder holds it. */
  resolve(file: string): { folder: SearchableFolder; path: string } | undefined {
    const folders = this.folders();
    if (folders.length === 1) return { folder: folders[0], path: file };
    const folder = folders.find((f) => file.startsWith(`${f.name}/`));
    return folder ? { folder, path: file.slice(folder.name.length + 1) } : undefined;
  }

  /** Searches every folder; a folder whose index fails is skipped and named in the note. Never throws. */
  async search(query: string, options: WorkspaceSearchOptions): Promise<WorkspaceHits> {
    const folders = this.folders();
    const answers = await Promise.all(
      folders.map(async (folder) => {
        const local = (file: string) => {
          const r = this.resolve(file);
          return r && r.folder.name === folder.name ? r.path : undefined;
        };
        const selectionFile = options.selection ? local(options.selection.file) : undefined;
        try {
          const response = await folder.index.search(query, {
            limit: options.limit,
            semantic: options.semantic,
            selection: selectionFile && options.selection ? { ...options.selection, file: selectionFile } : undefined,
            recentFiles: (options.recentFiles ?? []).map(local).filter((p): p is string => p !== undefined),
          });
          return { folder, response };
        } catch (error) {
          return { folder, error: messageOf(error) };
        }
      }),
    );
    const hits: FoundChunk[] = [];
    let semantic = false;
    const notes: string[] = [];
    for (const a of answers) {
      if ('error' in a) {
        notes.push(`The index of ${a.folder.name} could not answer (${a.error}).`);
        continue;
      }
      semantic ||= a.response.semantic;
      if (a.response.note && !notes.includes(a.response.note)) notes.push(a.response.note);
      for (const hit of a.response.results) hits.push({ file: this.display(a.folder.name, hit.chunk.file), hit });
    }
    hits.sort((x, y) => y.hit.score - x.hit.score);
    return { hits: hits.slice(0, options.limit), semantic, note: notes.length ? notes.join(' ') : undefined };
  }

  /** The chunks of one file, most relevant to `query` first (for a pinned file). */
  async chunksOf(file: string, query: string, limit: number): Promise<FoundChunk[]> {
    const where = this.resolve(file);
    if (!where) return [];
    try {
      // The whole file as the "selection" makes every chunk of it a candidate, ranked by the query's terms on top.
      const response = await where.folder.index.search(query, {
        limit: limit + 100,
        semantic: false,
        selection: { file: where.path, startLine: 1, endLine: Number.MAX_SAFE_INTEGER },
      });
      return response.results.filter((r) => r.chunk.file === where.path).map((hit) => ({ file, hit }));
    } catch {
      return [];
    }
  }
}
