// The context list's buttons: open a chunk's lines, pin or exclude its file in the conversation. Returns the short
// confirmation the panel shows. No `vscode`: the host passes in how to open a location.
import type { ContextCommand, ContextLocation } from '../../protocol/context';
import type { ContextPins } from './contextPins';

export interface ContextCommandDeps {
  pins: ContextPins;
  /** Opens the file at the lines; false when it could not. */
  open(location: ContextLocation): Promise<boolean>;
}

export async function runContextCommand(command: ContextCommand, conversationId: string, deps: ContextCommandDeps): Promise<string | undefined> {
  switch (command.type) {
    case 'openContext':
      return (await deps.open(command.location)) ? undefined : `${command.location.file} could not be opened (moved or deleted?).`;
    case 'pinContextFile':
      await deps.pins.setPinned(conversationId, command.file, command.pinned);
      return command.pinned
        ? `${command.file} is pinned in this conversation: its most relevant chunks go into every request.`
        : `${command.file} is no longer pinned.`;
    case 'excludeContextFile':
      await deps.pins.setExcluded(conversationId, command.file, command.excluded);
      return command.excluded
        ? `${command.file} is excluded in this conversation: it is never retrieved as context.`
        : `${command.file} can be retrieved again in this conversation.`;
  }
}
