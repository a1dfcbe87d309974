#!/usr/bin/env node
// Verifies the token engine as shipped: loads the built core (dist/core.js; run `npm run build` first),
// prints a readable report, and exits non-zero if any check fails. Its last line is `N passed, N failed`.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const { createChecks, assert: expect } = require('./scripts/lib/checks.cjs');

const checks = createChecks({
  ok: (name, detail) => `  ok    ${name}${detail ? ` (${detail})` : ''}`,
  fail: (name, err) => `  FAIL  ${name}: ${err && err.message ? err.message : String(err)}`,
});
const check = checks.check;
function heading(title) {
  console.log(`\n${title}`);
}

function expectEqual(actual, expected, what) {
  if (actual !== expected) throw new Error(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
}

function ms(start) {
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/** The invariant: fits the window, and every reported number is a fresh count of the returned text. */
function checkPlan(fresh, plan, calibration = 1, overhead = 0) {
  const u = plan.tokenUsage;
  const c = (t) => (t.length === 0 ? 0 : fresh.countCalibrated(t, calibration));
  expect(u.total + u.completionReserve <= u.limit, `total ${u.total} + reserve ${u.completionReserve} > limit ${u.limit}`);
  expectEqual(u.system, plan.systemPrompt ? c(plan.systemPrompt) + overhead : 0, 'system tokens');
  expectEqual(u.user, c(plan.userInput) + overhead, 'user tokens');
  const block = plan.contextChunks.map((t) => t + '\n\n').join('');
  expectEqual(u.context, block ? c(block + plan.userInput) - c(plan.userInput) : 0, 'context tokens (what the block adds to the user message)');
  expectEqual(
    u.history,
    plan.history.reduce((a, m) => a + c(m.content) + overhead, 0),
    'history tokens',
  );
  expectEqual(u.total, u.system + u.user + u.context + u.history, 'total');
  return `${u.total} + ${u.completionReserve} reserve <= ${u.limit}`;
}

function main() {
  const corePath = path.join(__dirname, 'dist', 'core.js');
  if (!fs.existsSync(corePath)) {
    console.log(`dist/core.js is missing: run \`npm run build\` first.`);
    console.log('0 passed, 1 failed');
    process.exitCode = 1;
    return;
  }
  const core = require(corePath);
  const { TokenCounter, ConfigurationError, PromptTooLargeError, validateBudgets } = core;
  const tc = new TokenCounter(8192, 0.2, 0.3, 0.5, { env: {} });
  const fresh = new TokenCounter(8192, 0.2, 0.3, 0.5, { env: {} });
  const code = fs.readFileSync(path.join(__dirname, 'node_modules/typescript/lib/lib.es5.d.ts'), 'utf8');

  console.log('Therapist token engine check (dist/core.js)');

  heading('1. Counting (GPT-2 through tiktoken)');
  check('"hello world" is 2 tokens', () => (expectEqual(tc.countTokens('hello world'), 2, 'count'), ''));
  check('"Hello world!" is 3 tokens', () => (expectEqual(tc.countTokens('Hello world!'), 3, 'count'), ''));
  check(
    '"The quick brown fox jumps over the lazy dog." is 10 tokens',
    () => (expectEqual(tc.countTokens('The quick brown fox jumps over the lazy dog.'), 10, 'count'), ''),
  );
  check('empty text is 0 tokens', () => (expectEqual(tc.countTokens(''), 0, 'count'), ''));
  check('8 spaces of indentation are 8 tokens (GPT-2 has no space-run tokens)', () => (expectEqual(tc.countTokens('        '), 8, 'count'), ''));
  check('<|endoftext|> in user text counts as ordinary text and does not throw', () => {
    const n = tc.countTokens('x <|endoftext|> y');
    expect(n > 3, `only ${n} tokens`);
    return `${n} tokens`;
  });
  check('the tokenizer is exact, not the estimate', () => (expectEqual(tc.isEstimate, false, 'isEstimate'), tc.fallbackReason ?? 'no fallback'));
  check('lib.es5.d.ts counts the same as raw tiktoken', () => {
    const { get_encoding } = require('tiktoken');
    const enc = get_encoding('gpt2');
    const raw = enc.encode_ordinary(code).length;
    enc.free();
    expectEqual(tc.countTokens(code), raw, 'count');
    return `${raw} tokens, ${code.length} chars`;
  });
  check('a repeated text is a cache hit', () => {
    const before = tc.cacheStats.hits;
    tc.countTokens(code);
    expectEqual(tc.cacheStats.hits, before + 1, 'cache hits');
    return `${tc.cacheStats.entries} cached texts`;
  });

  heading('2. Budgets');
  check('8192 tokens split 0.2 / 0.3 / 0.4 context / 0.1 answer', () => {
    const b = tc.budgets();
    expectEqual(JSON.stringify(b), JSON.stringify({ limit: 8192, completionReserve: 820, available: 7372, system: 1638, user: 2457, context: 3276 }), 'shares');
    return `system ${b.system}, user ${b.user}, context ${b.context}, reserve ${b.completionReserve}`;
  });
  check('budgets over 1 are rejected with the setting and valid range', () => {
    try {
      validateBudgets({ maxTokens: 8192, systemTokenBudget: 0.5, userTokenBudget: 0.4, contextTokenBudget: 0.5 });
    } catch (err) {
      expect(err instanceof ConfigurationError, `wrong error ${err}`);
      expectEqual(err.setting, 'therapist.contextTokenBudget', 'setting');
      return err.message;
    }
    throw new Error('no error');
  });
  check('a non-integer window is rejected', () => {
    try {
      new TokenCounter(1000.5);
    } catch (err) {
      expect(err instanceof ConfigurationError, `wrong error ${err}`);
      return err.message;
    }
    throw new Error('no error');
  });

  heading('3. Prompt optimization');
  check('a small prompt is kept whole, without a warning', () => {
    const plan = tc.optimizePrompt('You are a careful coding assistant.', 'What does this do?', ['function add(a, b) { return a + b; }'], {
      history: [
        { role: 'user', content: 'Hi' },
        { role: 'assistant', content: 'Hello! How can I help?' },
      ],
    });
    expectEqual(plan.truncated, false, 'truncated');
    expectEqual(plan.warning, undefined, 'warning');
    return checkPlan(fresh, plan);
  });
  check('calibration 1.3 and 4 tokens per message still fit and reproduce', () => {
    const chunks = Array.from({ length: 60 }, (_, i) => code.slice(i * 2000, i * 2000 + 2000));
    const plan = tc.optimizePrompt('System.', 'Question?', chunks, {
      calibration: 1.3,
      perMessageOverhead: 4,
      history: [{ role: 'user', content: 'earlier' }],
    });
    return checkPlan(fresh, plan, 1.3, 4);
  });

  heading('4. Large-context truncation');
  check('500 chunks into an 8k window: least relevant dropped, warning, chunk report', () => {
    const chunks = Array.from({ length: 500 }, (_, i) => ({
      text: code.slice((i * 500) % (code.length - 500), ((i * 500) % (code.length - 500)) + 500),
      relevance: i % 7,
      source: `lib.es5.d.ts#${i}`,
      id: `c${i}`,
    }));
    const plan = tc.optimizePrompt('You are a careful coding assistant.', 'Explain these types.', chunks);
    expectEqual(plan.truncatedSections.join(','), 'context', 'truncated sections');
    expectEqual(
      plan.warning,
      'WARNING: Input was truncated due to token limits. Truncated sections: code context. Consider reducing context or breaking down your request.',
      'warning',
    );
    const kept = plan.contextChunkIndexes.map((i) => chunks[i].relevance);
    const dropped = plan.droppedChunks.filter((d) => d.status === 'dropped').map((d) => d.relevance);
    expect(Math.min(...kept) >= Math.max(...dropped), 'a more relevant chunk was dropped before a less relevant one');
    return `${plan.contextChunks.length} kept, ${plan.droppedChunks.length} dropped or cut; ${checkPlan(fresh, plan)}`;
  });
  check('a 128k window with 500 chunks and a long history', () => {
    const big = new TokenCounter(131072, 0.2, 0.3, 0.5, { env: {} });
    const chunks = Array.from({ length: 500 }, (_, i) => code.slice(i * 1500, i * 1500 + 1500));
    const history = Array.from({ length: 200 }, (_, i) => ({ role: i % 2 ? 'assistant' : 'user', content: code.slice(i * 1000, i * 1000 + 1000) }));
    const plan = big.optimizePrompt('System prompt.', 'Question?', chunks, { history });
    big.dispose();
    return `${plan.truncatedSections.join(', ') || 'nothing'} truncated; ${checkPlan(fresh, plan)}`;
  });
  check('a window too small for the cut marker throws PromptTooLargeError with the numbers', () => {
    const tiny = new TokenCounter(8, 0.2, 0.3, 0.5, { env: {} });
    try {
      tiny.optimizePrompt('', code.slice(0, 5000));
    } catch (err) {
      expect(err instanceof PromptTooLargeError, `wrong error ${err}`);
      expect(err.minimumNeeded > err.limit - err.completionReserve, 'minimumNeeded fits, yet it threw');
      return err.message;
    } finally {
      tiny.dispose();
    }
    throw new Error('no error');
  });

  heading('5. Fallback estimate');
  check('forceEstimate counts conservatively and labels counts as estimates', () => {
    const est = new TokenCounter(8192, 0.2, 0.3, 0.5, { forceEstimate: true });
    const exact = tc.countTokens(code);
    const estimate = est.countTokens(code);
    expect(est.isEstimate, 'isEstimate is false');
    expect(estimate >= exact, `estimate ${estimate} below exact ${exact}`);
    const plan = est.optimizePrompt('System.', 'Question?', [code.slice(0, 40_000)]);
    expectEqual(plan.tokenUsage.estimated, true, 'tokenUsage.estimated');
    checkPlan(est, plan);
    return `estimate ${estimate} vs exact ${exact} (x${(estimate / exact).toFixed(2)}): ${est.fallbackReason}`;
  });

  heading('6. Pathological input');
  const line = 'A'.repeat(1_000_000);
  check('a 1 MB single line is counted in linear time without crashing', () => {
    const start = process.hrtime.bigint();
    const n = tc.countTokens(line);
    expect(n > 0, 'no tokens');
    return `${n} tokens in ${ms(start).toFixed(0)} ms`;
  });
  check('a 1 MB single line as user input is cut to fit', () => {
    const start = process.hrtime.bigint();
    const plan = tc.optimizePrompt('System.', line);
    expectEqual(plan.truncatedSections.join(','), 'user', 'truncated sections');
    return `${ms(start).toFixed(0)} ms; ${checkPlan(fresh, plan)}`;
  });

  tc.dispose();
  fresh.dispose();
  console.log(`\n${checks.failed === 0 ? 'All token engine checks passed.' : `${checks.failed} token engine check(s) FAILED.`}`);
}

try {
  main();
} catch (err) {
  checks.crashed(err);
}
checks.finish();
