// The send path with a summary pending (issue 13: "must be ~0"): the same conversation sent turn by turn, once with
// no summarizer, once with the summarizer driven between turns as the host drives it while its summarize model is
// slow (so a summary is being made during most sends). Prints the median send time of each, their ratio, and how
// long historyFor (the only summarizer call on the send path) took. Prints MISSED, never fails.
import { createRequire } from 'node:module';
import { median } from './lib/timing.mjs';

const require = createRequire(import.meta.url);

export async function run() {
  require('tsx/cjs');
  const { ConversationSummarizer, completeVia, historyRoom } = require('../../src/core/conversation/index.ts');
  const { ModelIntegration, FALLBACK_ENCODING } = require('../../src/modelIntegration.ts');
  const { TokenCounter } = require('../../src/tokenCounter.ts');
  const { OllamaSimulator } = require('../../test/support/ollamaSimulator.ts');
  const WINDOW = 4096;
  const budgets = { systemTokenBudget: 0.2, userTokenBudget: 0.3, contextTokenBudget: 0.5 };
  const sim = new OllamaSimulator({
    models: [
      { name: 'coder:7b', contextLength: WINDOW, reply: { echo: true, prefix: 'Done. ' } },
      { name: 'summarizer:1b', contextLength: WINDOW, timeToFirstTokenMs: 1500 },
    ],
  });
  await sim.start();
  const counter = new TokenCounter(undefined, undefined, undefined, undefined, { encoding: FALLBACK_ENCODING });
  const request = (i) =>
    `Turn ${i}: in src/feature${i % 7}/module${i}.ts, change \`handle${i}\` to validate its input and log failures. Decision: errors stay typed. Should \`retry${i}\` back off?`;
  try {
    const conversation = async (withSummaries) => {
      const chat = new ModelIntegration({ ollamaUrl: sim.url, model: 'coder:7b', maxTokens: WINDOW, tokenCounter: counter, ...budgets });
      const summarize = new ModelIntegration({ ollamaUrl: sim.url, model: 'summarizer:1b', maxTokens: WINDOW, tokenCounter: counter, ...budgets });
      const summarizer = new ConversationSummarizer({
        complete: completeVia(summarize),
        meter: () => chat.meterFor(),
        summaryWindow: WINDOW,
        logger: process.env.DEBUG_BENCH ? console : undefined,
      });
      const turns = [];
      const sends = [];
      const historyMs = [];
      let pendingSends = 0;
      for (let i = 1; i <= 36; i++) {
        const t0 = performance.now();
        const h = withSummaries ? summarizer.historyFor({ id: 'c', turns }) : { messages: turns, summarizing: false };
        historyMs.push(performance.now() - t0);
        if (h.summarizing) pendingSends++;
        const result = await chat.generateResponse(request(i), [], { history: h.messages });
        sends.push(performance.now() - t0);
        turns.push({ role: 'user', content: request(i) }, { role: 'assistant', content: result.text });
        if (withSummaries) {
          const u = result.usage;
          summarizer.afterTurn(
            { id: 'c', turns },
            historyRoom({
              limit: u.limit,
              completionReserve: u.completionReserve,
              systemTokens: u.perSection.system,
              budgets,
              userTokens: u.perSection.user,
              contextTokens: 0,
            }),
          );
        }
      }
      await summarizer.whenIdle();
      const summaries = summarizer.summaryOf('c')?.chainLength ?? 0;
      summarizer.dispose();
      return { sends, historyMs, pendingSends, summaries };
    };
    await conversation(false); // warm-up: tokenizer, model facts, JIT
    const plain = await conversation(false);
    const summarized = await conversation(true);
    const a = median(plain.sends);
    const b = median(summarized.sends);
    const ratio = b / a;
    console.log(`36 sends in a ${WINDOW}-token window; the summarize model takes 1.5 s to answer, so summaries are pending during sends`);
    console.log(`  without summaries: median send ${a.toFixed(2)} ms (baseline)`);
    console.log(
      `  with summaries:    median send ${b.toFixed(2)} ms = x${ratio.toFixed(2)}; ${summarized.pendingSends} of 36 sends ran while a summary was being made; ` +
        `${summarized.summaries} summaries made; historyFor max ${Math.max(...summarized.historyMs).toFixed(2)} ms  ` +
        `${ratio < 1.25 ? 'ok' : 'MISSED'} (target ~x1: no send waits for a summary)`,
    );
  } finally {
    await sim.stop();
    counter.dispose();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
