import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { digestOf } from '../../../../src/core/conversation/digest';
import { mentionsOf } from '../../../../src/core/conversation/mentions';
import type { HistoryMessage } from '../../../../src/core/tokens/types';
import { charMeter } from './kit';

const CONVERSATION: HistoryMessage[] = [
  { role: 'user', content: 'Refactor `parseConfig` in src/config/parse.ts so errors carry line numbers.' },
  {
    role: 'assistant',
    content:
      'Here is a plan.\n\n```ts\nexport function parseConfig(text: string) {\n  return parseLines(text);\n}\nclass ConfigError extends Error {}\nconst parseLines = (t: string) => t.split("\\n");\n```\nSee README.md and https://example.com/x.js for more.',
  },
  { role: 'user', content: 'Also update test/config.test.ts. Should `ConfigError.line` be 1-based?' },
  { role: 'assistant', content: 'Yes, 1-based.\nI changed `ConfigError.line()`.\n\nDone.' },
];

const HEAD = "Digest of turns 1-2 (made without a model: the user's requests verbatim, the files and symbols mentioned, the last answer's first lines).";
const TAIL = [
  'Files: src/config/parse.ts, README.md, test/config.test.ts',
  'Symbols: parseConfig, ConfigError, parseLines, ConfigError.line',
  'Last answer (turn 2) began:',
  '> Yes, 1-based.',
  '> I changed `ConfigError.line()`.',
  '> Done.',
];

describe('digestOf', () => {
  it("lists the user's requests verbatim, the files and symbols mentioned, and the last answer's first lines", () => {
    assert.equal(
      digestOf(CONVERSATION),
      [
        HEAD,
        'Requests:',
        '- Turn 1: Refactor `parseConfig` in src/config/parse.ts so errors carry line numbers.',
        '- Turn 2: Also update test/config.test.ts. Should `ConfigError.line` be 1-based?',
        ...TAIL,
      ].join('\n'),
    );
  });

  it('leaves out the first request when the summary keeps it on its own, and numbers later turns from firstTurn', () => {
    assert.equal(
      digestOf(CONVERSATION, { skipFirstRequest: true }),
      [HEAD, 'Requests:', '- Turn 2: Also update test/config.test.ts. Should `ConfigError.line` be 1-based?', ...TAIL].join('\n'),
    );
    const later = digestOf(CONVERSATION.slice(2), { firstTurn: 7 });
    assert.match(later, /^Digest of turns 7-7 /);
    assert.match(later, /\n- Turn 7: Also update/);
    assert.match(later, /\nLast answer \(turn 7\) began:/);
  });

  it('stays within maxTokens: shortens each request (start and end kept, cut marked), then leaves the oldest out and says so', () => {
    const meter = charMeter(1);
    const turns = Array.from({ length: 6 }, (_, i): HistoryMessage[] => [
      { role: 'user', content: `Request ${i + 1}: ${'abcdefghij'.repeat(8)} end.` },
      { role: 'assistant', content: `Answer ${i + 1}.` },
    ]).flat();
    const whole = digestOf(turns, { meter, maxTokens: 2000 });
    assert.equal(meter.measure(whole), 875);
    assert.ok(turns.filter((m) => m.role === 'user').every((m) => whole.includes(`: ${m.content}\n`)));
    const shorter = digestOf(turns, { meter, maxTokens: 700 });
    assert.ok(meter.measure(shorter) <= 700);
    for (let i = 1; i <= 6; i++)
      assert.ok(shorter.includes(`- Turn ${i}: Request ${i}:\n[... 77 tokens truncated ...]\nghij end.`), `turn ${i} keeps its start and end`);
    const fewer = digestOf(turns, { meter, maxTokens: 420 });
    assert.ok(meter.measure(fewer) <= 420);
    assert.ok(fewer.includes('\n- Turns 1-5: 5 requests (480 tokens) left out of this digest to fit.\n- Turn 6: Request 6:\n'));
  });

  it('for any conversation and bound: deterministic, within the bound, no request shown empty unless the whole digest is cut (marked)', () => {
    const meter = charMeter(1);
    const message = fc.record({ role: fc.constantFrom('user' as const, 'assistant' as const), content: fc.string({ maxLength: 400 }) });
    fc.assert(
      fc.property(fc.array(message, { maxLength: 30 }), fc.integer({ min: 150, max: 3000 }), (turns, maxTokens) => {
        const a = digestOf(turns, { meter, maxTokens });
        assert.equal(a, digestOf(turns, { meter, maxTokens }));
        assert.ok(meter.measure(a) <= maxTokens, `${meter.measure(a)} > ${maxTokens}`);
        if (!/\n\[\.\.\. \d+ tokens truncated \.\.\.\]$/.test(a)) assert.doesNotMatch(a, /^- Turn \d+: $/m);
      }),
      { numRuns: 300 },
    );
  });
});

describe('mentionsOf', () => {
  it('finds paths, backticked identifiers and the names defined in code blocks, in order of first mention', () => {
    assert.deepEqual(mentionsOf(CONVERSATION.map((m) => m.content)), {
      files: ['src/config/parse.ts', 'README.md', 'test/config.test.ts'],
      symbols: ['parseConfig', 'ConfigError', 'parseLines', 'ConfigError.line'],
    });
  });

  it('reads Python, Go and method definitions, skips keywords, URLs and backticked files', () => {
    const text = [
      'Open `./lib/util.py` and `pkg/server.go`, not https://host.io/app.js.',
      '```python\ndef load_rows(path):\n    if path:\n        return []\n```',
      '```go\nfunc (s *Server) Serve(w http.ResponseWriter) {}\nfunc main() {}\n```',
      '```ts\nclass Cache {\n  async get(key: string): Promise<string> {\n    if (key) {\n    }\n  }\n}\n```',
      'Use `a b` or `Cache#get()` here.',
    ].join('\n');
    assert.deepEqual(mentionsOf([text]), {
      files: ['./lib/util.py', 'pkg/server.go'],
      symbols: ['load_rows', 'Serve', 'main', 'Cache', 'get', 'Cache#get'],
    });
  });
});
