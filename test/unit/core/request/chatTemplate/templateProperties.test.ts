import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ChatTemplate, renderChat } from '../../../../../src/core/request/chatTemplate';
import { GO_BUILTINS, TEMPLATE_FUNCTION_NAMES, ollamaFuncs } from '../../../../../src/core/request/chatTemplate/builtins';
import { executeTemplate } from '../../../../../src/core/request/chatTemplate/executor';
import { fromJson } from '../../../../../src/core/request/chatTemplate/goValues';
import { parseTemplate } from '../../../../../src/core/request/chatTemplate/parser';
import { FAMILY_TEMPLATES } from '../../../../support/templates';

// Invariants that must hold for every input.

const FUNCS = new Map([...GO_BUILTINS, ...ollamaFuncs({ now: () => new Date(0) })].map((f) => [f.name, f]));
const run = (source: string, data: unknown): string =>
  executeTemplate(parseTemplate(source, TEMPLATE_FUNCTION_NAMES), fromJson(data), { funcs: FUNCS, missingKey: 'zero' });

describe('chat templates: properties', () => {
  it('message content reaches the prompt verbatim, whatever it contains ({{, <, &, any unicode)', () => {
    const qwen = ChatTemplate.compile(FAMILY_TEMPLATES['qwen2.5-coder'].template);
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.constantFrom('{{ .System }}', '{{', '}}', '<|im_end|>', '&amp;')), (content) => {
        assert.equal(qwen.render({ messages: [{ role: 'user', content }] }).prompt, `<|im_start|>user\n${content}<|im_end|>\n<|im_start|>assistant\n`);
      }),
      { numRuns: 300 },
    );
  });

  it('text without actions renders to itself', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary' }).filter((s) => !s.includes('{{')),
        (text) => {
          assert.equal(run(text, {}), text);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('trim markers remove exactly the spaces, tabs, CRs and LFs next to the action', () => {
    const ws = fc.string({ unit: fc.constantFrom(' ', '\t', '\r', '\n') });
    fc.assert(
      fc.property(
        ws,
        ws,
        fc.string().filter((s) => !s.includes('{{')),
        (left, right, value) => {
          assert.equal(run(`a${left}{{- .v -}}${right}b`, { v: value }), `a${value}b`);
          assert.equal(run(`a${left}{{ .v }}${right}b`, { v: value }), `a${left}${value}${right}b`);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('json writes valid JSON of the same value, with no raw < > & (Go escapes them)', () => {
    const value = fc.jsonValue().filter((v) => !JSON.stringify(v).includes('-0') || !hasNegativeZero(v));
    fc.assert(
      fc.property(value, (v) => {
        const out = run('{{ json .v }}', { v });
        assert.deepEqual(JSON.parse(out), v);
        assert.doesNotMatch(out, /[<>&\u2028\u2029]/);
      }),
      { numRuns: 300 },
    );
  });

  it('a rendered chat never depends on how often it is rendered (no state leaks between renders)', () => {
    const t = ChatTemplate.compile(FAMILY_TEMPLATES.qwen3.template);
    const msg = fc.record({
      role: fc.constantFrom('system', 'user', 'assistant', 'tool'),
      content: fc.string(),
      thinking: fc.option(fc.string(), { nil: undefined }),
    });
    fc.assert(
      fc.property(fc.array(msg, { minLength: 1, maxLength: 8 }), fc.constantFrom(true, false, undefined), (messages, think) => {
        const a = t.render({ messages, think }).prompt;
        const b = renderChat(FAMILY_TEMPLATES.qwen3.template, { messages, think }).prompt;
        assert.equal(a, b);
        assert.equal(t.render({ messages, think }).prompt, a);
      }),
      { numRuns: 200 },
    );
  });
});

function hasNegativeZero(v: unknown): boolean {
  if (typeof v === 'number') return Object.is(v, -0);
  if (Array.isArray(v)) return v.some(hasNegativeZero);
  if (v && typeof v === 'object') return Object.values(v).some(hasNegativeZero);
  return false;
}
