// A real workspace index (in this thread, no worker, no embeddings) over the core tests' small workspace, and
// the WorkspaceSearch and pins the host builds around it.
import { WorkspaceIndex, type WorkspaceFile } from '../../../../src/core/context/retrieval';
import { ContextPins } from '../../../../src/host/retrieval/contextPins';
import { RetrievalContext, type EditorHints, type RetrievalAvailability } from '../../../../src/host/retrieval/retrievalContext';
import { WorkspaceSearch } from '../../../../src/host/retrieval/workspaceSearch';
import { MapMemento } from '../chat/fakes';
import { countTokens } from '../../core/context/retrieval/retrievalTestKit';
import { workspace } from '../../core/context/retrieval/workspaceFixture';

export async function indexOf(files: WorkspaceFile[] = workspace()): Promise<WorkspaceIndex> {
  const index = new WorkspaceIndex({ embedding: { model: '' } }, { countTokens, autoEmbed: false });
  await index.sync(files);
  return index;
}

export interface Kit {
  index: WorkspaceIndex;
  search: WorkspaceSearch;
  pins: ContextPins;
  memento: MapMemento;
  retrieval: RetrievalContext;
  set(over: { availability?: RetrievalAvailability; where?: EditorHints; room?: number; earlier?: string[] }): void;
}

export async function kit(files?: WorkspaceFile[]): Promise<Kit> {
  const index = await indexOf(files);
  const search = new WorkspaceSearch(() => [{ name: 'demo', index }]);
  const memento = new MapMemento();
  const pins = new ContextPins(memento);
  let availability: RetrievalAvailability = { state: 'ready' };
  let where: EditorHints = { recentFiles: [] };
  let room = 2000;
  let earlier: string[] = [];
  const retrieval = new RetrievalContext({
    search,
    pins,
    availability: () => availability,
    where: () => where,
    contextRoom: () => room,
    earlierQuestions: () => earlier,
  });
  return {
    index,
    search,
    pins,
    memento,
    retrieval,
    set(over) {
      availability = over.availability ?? availability;
      where = over.where ?? where;
      room = over.room ?? room;
      earlier = over.earlier ?? earlier;
    },
  };
}
