import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { ChatTemplate, type ChatTemplateMessage } from '../../../../../src/core/request/chatTemplate';
import { FAMILY_TEMPLATES, type ModelFamily } from '../../../../support/templates';

// Budget: rendering a 200-message conversation takes < 2 ms (template compiled once per model).

function conversation(n: number): ChatTemplateMessage[] {
  const msgs: ChatTemplateMessage[] = [{ role: 'system', content: 'You are a careful coding assistant. '.repeat(10) }];
  for (let i = 1; i < n; i++) {
    msgs.push(
      i % 2 === 1
        ? { role: 'user', content: `Question ${i}: how do I ${'refactor this function '.repeat(8)}?` }
        : { role: 'assistant', content: `Answer ${i}: ${'use a smaller helper. '.repeat(12)}`, thinking: i % 4 === 0 ? 'Reasoning. '.repeat(5) : undefined },
    );
  }
  return msgs;
}

function medianMs(f: () => void, runs: number): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    f();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

describe('chat templates: render timing', function () {
  this.timeout(60_000);
  const messages = conversation(200);
  const families: ModelFamily[] = ['qwen3', 'llama3.2', 'gemma3', 'deepseek-r1', 'deepseek-coder'];
  for (const family of families) {
    it(`${family}: a 200-message conversation renders in linear time, well under the send path's budget (median of 200 runs)`, () => {
      const t = ChatTemplate.compile(FAMILY_TEMPLATES[family].template);
      for (let i = 0; i < 50; i++) t.render({ messages });
      const ms = medianMs(() => t.render({ messages }), 200);
      const compileMs = medianMs(() => ChatTemplate.compile(FAMILY_TEMPLATES[family].template), 50);
      console.log(`      ${family}: render ${ms.toFixed(3)} ms, compile ${compileMs.toFixed(3)} ms, prompt ${t.render({ messages }).prompt.length} chars`);
      // Measured 0.1-0.5 ms; this bound catches a regression by an order of magnitude, never machine noise.
      assert.ok(ms < 20, `median render took ${ms.toFixed(3)} ms`);
    });
  }
});
