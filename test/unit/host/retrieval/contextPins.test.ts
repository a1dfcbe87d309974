import assert from 'node:assert/strict';
import { ContextPins } from '../../../../src/host/retrieval/contextPins';
import { MapMemento } from '../chat/fakes';

describe('context pins: files pinned or excluded per conversation', () => {
  it('pins and excludes per conversation; a file is one or the other, the newer choice winning', async () => {
    const memento = new MapMemento();
    const pins = new ContextPins(memento);
    await pins.setPinned('c1', 'src/a.ts', true);
    await pins.setExcluded('c1', './src/b.ts', true);
    assert.deepEqual([pins.pinned('c1'), pins.excluded('c1')], [['src/a.ts'], ['src/b.ts']]);
    assert.deepEqual([pins.pinned('c2'), pins.excluded('c2')], [[], []]);
    await pins.setExcluded('c1', 'src/a.ts', true);
    assert.deepEqual([pins.pinned('c1'), pins.excluded('c1')], [[], ['src/b.ts', 'src/a.ts']]);
    await pins.setPinned('c1', 'src/b.ts', true);
    assert.deepEqual([pins.pinned('c1'), pins.excluded('c1')], [['src/b.ts'], ['src/a.ts']]);
    await pins.setPinned('c1', 'src/b.ts', false);
    assert.deepEqual([pins.pinned('c1'), pins.excluded('c1')], [[], ['src/a.ts']], 'unpinning leaves the excluded list alone');
  });

  it('an excluded folder excludes what is inside it', async () => {
    const pins = new ContextPins(new MapMemento());
    await pins.setExcluded('c1', 'vendor', true);
    assert.equal(pins.isExcluded('c1', 'vendor/lib.js'), true);
    assert.equal(pins.isExcluded('c1', 'vendor'), true);
    assert.equal(pins.isExcluded('c1', 'vendored.js'), false);
  });

  it('survives a reload (the workspace storage), and ignores a damaged entry', async () => {
    const memento = new MapMemento();
    await new ContextPins(memento).setPinned('c1', 'src/a.ts', true);
    assert.deepEqual(new ContextPins(memento).pinned('c1'), ['src/a.ts']);
    await memento.update('therapist.retrieval.pins', { c1: { pinned: 'nope' }, c2: { pinned: ['x.ts'], excluded: [] } });
    const reloaded = new ContextPins(memento);
    assert.deepEqual([reloaded.pinned('c1'), reloaded.pinned('c2')], [[], ['x.ts']]);
  });
});
