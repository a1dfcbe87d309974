import assert from 'node:assert/strict';
import { ContextPins } from '../../../../src/host/retrieval/contextPins';
import { runContextCommand } from '../../../../src/host/retrieval/contextCommands';
import type { ContextLocation } from '../../../../src/protocol/context';
import { MapMemento } from '../chat/fakes';

describe('context list buttons: open, pin, exclude', () => {
  it('opens the location, or says it could not; pins and excludes in the conversation, with a confirmation', async () => {
    const pins = new ContextPins(new MapMemento());
    const opened: ContextLocation[] = [];
    const deps = { pins, open: async (l: ContextLocation) => (opened.push(l), l.file !== 'gone.ts') };
    const at = { file: 'src/a.ts', startLine: 3, endLine: 9 };
    assert.equal(await runContextCommand({ type: 'openContext', location: at }, 'c1', deps), undefined);
    assert.deepEqual(opened, [at]);
    assert.equal(
      await runContextCommand({ type: 'openContext', location: { ...at, file: 'gone.ts' } }, 'c1', deps),
      'gone.ts could not be opened (moved or deleted?).',
    );
    assert.match(
      (await runContextCommand({ type: 'pinContextFile', file: 'src/a.ts', pinned: true }, 'c1', deps))!,
      /src\/a\.ts is pinned in this conversation/,
    );
    assert.deepEqual(pins.pinned('c1'), ['src/a.ts']);
    assert.match((await runContextCommand({ type: 'excludeContextFile', file: 'src/a.ts', excluded: true }, 'c1', deps))!, /never retrieved/);
    assert.deepEqual([pins.pinned('c1'), pins.excluded('c1')], [[], ['src/a.ts']]);
    assert.match((await runContextCommand({ type: 'excludeContextFile', file: 'src/a.ts', excluded: false }, 'c1', deps))!, /can be retrieved again/);
    assert.equal(await runContextCommand({ type: 'pinContextFile', file: 'src/a.ts', pinned: false }, 'c1', deps), 'src/a.ts is no longer pinned.');
  });
});
