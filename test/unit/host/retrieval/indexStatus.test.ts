import assert from 'node:assert/strict';
import { notices } from '../../../../src/core/context/retrieval';
import { combineActivities, indexStatusView, noticePresentation } from '../../../../src/host/retrieval/indexStatus';

const progress = (phase: 'chunking' | 'embedding' | 'loading', done: number, total: number) => ({
  phase,
  done,
  total,
  files: 1200,
  chunks: 9000,
  elapsedMs: 10,
});

describe('index status: the status bar item and the messages', () => {
  it('shows progress while working (click stops), hides when ready, warns when stopped or failed (click rebuilds)', () => {
    const working = indexStatusView({ kind: 'working', progress: progress('chunking', 1234, 5000) });
    assert.deepEqual([working.visible, working.text, working.cancellable, working.warning], [true, '$(sync~spin) Indexing 1,234/5,000', true, false]);
    assert.match(working.tooltip, /1,234\/5,000 files\); 1,200 files, 9,000 chunks so far\. Search works meanwhile\. Click to stop\./);
    assert.equal(indexStatusView({ kind: 'working', progress: progress('embedding', 128, 9000) }).text, '$(sync~spin) Embedding 128/9,000');
    assert.equal(indexStatusView({ kind: 'working', progress: progress('loading', 0, 1) }).text, '$(sync~spin) Loading index');
    assert.equal(indexStatusView({ kind: 'ready', files: 3, chunks: 9 }).visible, false);
    const cancelled = indexStatusView({ kind: 'cancelled', files: 700 });
    assert.deepEqual([cancelled.visible, cancelled.warning, cancelled.cancellable], [true, true, false]);
    assert.match(cancelled.tooltip, /700 files indexed/);
    assert.match(indexStatusView({ kind: 'failed', message: 'The worker stopped.' }).tooltip, /The worker stopped\. Click to rebuild\./);
    assert.equal(indexStatusView({ kind: 'off' }).visible, false);
  });

  it('several folders: the busiest one shows, ready ones add up', () => {
    assert.equal(
      combineActivities([
        { kind: 'ready', files: 1, chunks: 2 },
        { kind: 'working', progress: progress('chunking', 1, 2) },
      ]).kind,
      'working',
    );
    assert.deepEqual(
      combineActivities([
        { kind: 'ready', files: 1, chunks: 2 },
        { kind: 'ready', files: 3, chunks: 4 },
      ]),
      { kind: 'ready', files: 4, chunks: 6 },
    );
    assert.equal(
      combineActivities([
        { kind: 'ready', files: 1, chunks: 2 },
        { kind: 'failed', message: 'x' },
      ]).kind,
      'failed',
    );
    assert.deepEqual(combineActivities([]), { kind: 'off' });
  });

  it('a limit is shown with the setting that lifts it; skipped binaries only go to the log', () => {
    const limit = noticePresentation(notices.tooManyFiles(60000, 50000));
    assert.deepEqual([limit.show, limit.setting], [true, 'retrieval.maxFiles']);
    assert.equal(
      limit.text,
      'Therapist workspace index: Only the first 50000 of 60000 files were indexed (the file limit). To index more, raise therapist.retrieval.maxFiles.',
    );
    assert.equal(noticePresentation(notices.totalBytes(1, 2, 3)).setting, 'retrieval.maxIndexMb');
    assert.equal(noticePresentation(notices.diskLimit(1, 2)).setting, 'retrieval.maxDiskMb');
    assert.equal(noticePresentation(notices.chunkLimit(1, 2, 3)).setting, 'retrieval.maxChunks');
    assert.deepEqual(
      [noticePresentation(notices.fileTooLarge(1, 'a.bin', 5, 2)).show, noticePresentation(notices.fileTooLarge(1, 'a', 5, 2)).setting],
      [false, 'retrieval.maxFileSizeKb'],
    );
    assert.equal(noticePresentation(notices.binarySkipped(3, 'a.png')).show, false);
    const stopped = noticePresentation(notices.workerStopped('out of memory'));
    assert.equal(stopped.show, true);
    assert.match(stopped.text, /lower the index limits/);
  });
});
