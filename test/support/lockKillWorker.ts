// A child process for the ledger lock test: takes `<journal>.lock` and is SIGKILLed by its own hook at the worst
// moment, after writing the holder's details and before they are linked into place as the lock. Run with:
//   node --require tsx/cjs test/support/lockKillWorker.ts <lockPath>
import { FileLock } from '../../src/core/ledger/fileLock';

const lockPath = process.argv[2];
const lock = new FileLock(lockPath, { timeoutMs: 5000, staleMs: 30_000, onDetailsWritten: () => process.kill(process.pid, 'SIGKILL') });
lock.acquire().then(
  () => {
    process.stderr.write('lockKillWorker: acquired without being killed\n');
    process.exit(2);
  },
  (e: unknown) => {
    process.stderr.write(`lockKillWorker failed: ${String(e)}\n`);
    process.exit(1);
  },
);
