// A child process for the ledger concurrency test: hammers one ledger file with random
// reserve / commit / cancel / rollback / abandon, and prints one JSON line per acknowledged step
// so the parent can check that nothing acknowledged was lost. Run with:
//   node --require tsx/cjs test/support/ledgerWorker.ts <ledgerPath> <seed> <ops> <limitsJson> [compactAtBytes]
import { Ledger, QuotaExceededError, RateLimitedError } from '../../src/core/ledger';

/** mulberry32: a tiny seeded generator, so a failing run can be replayed with the same seed. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Pipes to the parent are synchronous on POSIX, so a line is out before the next step (or a SIGKILL). */
function say(obj: Record<string, unknown>): void {
  process.stdout.write(JSON.stringify(obj) + '\n');
}

async function main(): Promise<void> {
  const [file, seedArg, opsArg, limitsJson, compactArg] = process.argv.slice(2);
  const random = seeded(Number(seedArg));
  const int = (lo: number, hi: number): number => lo + Math.floor(random() * (hi - lo + 1));
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)];
  // Warnings go to stderr so the parent can assert that the lock was never shared and nothing was unreadable.
  const logger = {
    info: (): void => undefined,
    warn: (m: string): void => void process.stderr.write(`warn ${m}\n`),
    error: (m: string): void => void process.stderr.write(`error ${m}\n`),
  };
  const ledger = await Ledger.open({ path: file, limits: JSON.parse(limitsJson), compactAtBytes: compactArg ? Number(compactArg) : undefined, logger });
  say({ ready: process.pid });
  for (let i = 0; i < Number(opsArg); i++) {
    const promptTokens = int(50, 1500);
    const completionTokens = int(0, 800);
    let r;
    try {
      r = await ledger.reserve({
        user: pick(['ana', 'bo']),
        conversation: pick(['c1', 'c2', 'c3']),
        model: pick(['coder:7b', 'llama3:8b']),
        command: 'chat',
        promptTokens,
        completionTokens,
      });
    } catch (e) {
      if (e instanceof QuotaExceededError || e instanceof RateLimitedError) {
        say({ refused: e.code });
        continue;
      }
      throw e;
    }
    say({ reserved: r.id });
    const roll = random();
    if (roll < 0.1) continue; // abandoned: released when this process is gone
    if (roll < 0.2) await new Promise((res) => setTimeout(res, int(0, 4)));
    if (roll < 0.6) {
      const rec = await r.commit({ promptTokens: int(0, promptTokens), completionTokens: int(0, completionTokens), latencyMs: int(10, 900) });
      say({ settled: r.id, outcome: rec.outcome, tokens: rec.promptTokens + rec.completionTokens });
    } else if (roll < 0.8) {
      const rec = await r.cancel({ promptTokens: int(0, promptTokens), completionTokens: int(0, completionTokens) });
      say({ settled: r.id, outcome: rec.outcome, tokens: rec.promptTokens + rec.completionTokens });
    } else {
      const rec = await r.rollback('simulated failure');
      say({ settled: r.id, outcome: rec.outcome, tokens: 0 });
    }
  }
  await ledger.close();
  say({ done: process.pid });
}

main().catch((e) => {
  process.stderr.write(`ledgerWorker failed: ${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
