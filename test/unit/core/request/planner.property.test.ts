import assert from 'node:assert/strict';
import fc from 'fast-check';
import { planExact, type ExactSide } from '../../../../src/core/request/planner';
import { promptShape } from '../../../../src/core/request/promptShape';
import { renderChat } from '../../../../src/core/request/chatTemplate';
import { DEFAULT_SYSTEM_PROMPT } from '../../../../src/modelIntegration';
import { DEFAULTS } from '../../../../src/core/config';
import { TokenCounter } from '../../../../src/tokenCounter';
import { FAMILY_TEMPLATES } from '../../../support/templates';
import { codeText, csvText, emojiText, localizedText, proseText } from '../../../support/vocab/corpus';
import { loadTestVocab } from '../../../support/vocab/testVocabs';
import { exactTokenizer } from '../tokens/model/bpeFixtures';
import { assertCleanCut } from '../tokens/graphemeCheck';

// The exact path's promise, for any mix of content: the count of the plan equals the REFERENCE tokenizer's count
// of the prompt as Ollama renders it (never our own tokenizer checking itself), the plan fits the window, and no
// cut splits a character.

const CORPORA = {
  code: codeText(200_000),
  prose: proseText(200_000),
  cjk: localizedText('zh-cn').slice(0, 100_000),
  emoji: emojiText(4000),
  csv: csvText(2000),
};
// A real 1 MB minified line (TypeScript's declarations with whitespace squeezed).
const MINIFIED = codeText(1_200_000).replace(/\s+/g, ' ').slice(0, 1_000_000);

const piece = fc.oneof(
  {
    weight: 12,
    arbitrary: fc
      .tuple(fc.constantFrom(...(Object.keys(CORPORA) as (keyof typeof CORPORA)[])), fc.nat(), fc.nat(6000))
      .map(([k, at, n]) => CORPORA[k].slice(at % CORPORA[k].length, (at % CORPORA[k].length) + n)),
  },
  { weight: 1, arbitrary: fc.constant(MINIFIED) },
  { weight: 2, arbitrary: fc.constantFrom('<|im_start|>user', '<|endoftext|>', '<|eot_id|>', '', '👨‍👩‍👧‍👦🇫🇷e\u0301') },
);
const mix = fc.array(piece, { minLength: 1, maxLength: 3 }).map((parts) => parts.join('\n'));

for (const [vocab, family, bos] of [
  ['qwen3', 'qwen3', false],
  ['llama3', 'llama3.2', true],
] as const) {
  describe(`the exact plan (${vocab}), property-based`, function () {
    this.timeout(240_000);
    const tokenizer = exactTokenizer(vocab);
    const reference = loadTestVocab(vocab).reference;
    const template = FAMILY_TEMPLATES[family].template;
    const bosText = bos ? '<|begin_of_text|>' : undefined;
    const shape = promptShape(template, tokenizer, {
      ollamaVersion: '0.33.0',
      bosText,
      thinkingCapable: family === 'qwen3',
      think: family === 'qwen3' ? true : undefined,
    });
    const side: ExactSide = { tokenizer, counter: new TokenCounter(8192, 0.2, 0.3, 0.5, { tokenizer }), shape, label: 'x', bosText, correction: 0 };
    after(() => side.counter.dispose());

    it('counts what Ollama renders exactly as the reference does, fits the window, and cuts cleanly, for any mix (with a 1 MB line)', () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 512, max: 16_384 }),
          mix,
          fc.array(mix, { maxLength: 4 }),
          fc.array(fc.tuple(mix, mix), { maxLength: 3 }),
          (window, prompt, chunks, turns) => {
            const history = turns.flatMap(([q, a]) => [
              { role: 'user' as const, content: q },
              { role: 'assistant' as const, content: a },
            ]);
            const context = chunks.map((text, i) => ({ text, source: `c${i}`, relevance: 10 - i }));
            let plan;
            try {
              plan = planExact({ systemPrompt: DEFAULT_SYSTEM_PROMPT, prompt, context, history, window, budgets: DEFAULTS }, side);
            } catch (error) {
              assert.equal((error as Error).name, 'PromptTooLargeError', String(error));
              return;
            }
            const u = plan.prompt.tokenUsage;
            assert.ok(u.total + u.completionReserve <= window, `${u.total} + ${u.completionReserve} > ${window}`);
            const rendered = renderChat(template, {
              messages: plan.messages,
              ollamaVersion: '0.33.0',
              thinkingCapable: family === 'qwen3',
              think: family === 'qwen3' ? true : undefined,
            }).prompt;
            const body = bosText && rendered.startsWith(bosText) ? rendered.slice(bosText.length) : rendered;
            const expected = reference.encode(body, { add_special_tokens: false }).length + (bos ? 1 : 0);
            assert.equal(u.total, expected, 'our count of the rendered prompt = the reference tokenizer, as llama-server counts it');
            assertCleanCut(prompt, plan.prompt.userInput);
            // A chunk compression changed (its own tests check those steps) is not a cut; every other one is clean.
            const compressed = new Set(
              (plan.prompt.compression?.steps ?? []).flatMap((st) => st.items.filter((it) => it.section === 'context').map((it) => it.index)),
            );
            plan.prompt.contextChunks.forEach((t, k) => {
              const index = plan.prompt.contextChunkIndexes[k];
              if (!compressed.has(index)) assertCleanCut(chunks[index], t);
            });
          },
        ),
        { numRuns: 25, endOnFailure: true },
      );
    });
  });
}
