import assert from 'node:assert/strict';
import {
  ChatTemplate,
  TemplateError,
  compareVersions,
  eraForVersion,
  renderChat,
  simulateOllamaTruncation,
  stripThinkTags,
  stripsThinkTags,
  thinkFlags,
  type ChatTemplateMessage,
} from '../../../../../src/core/request/chatTemplate';
import { FAMILY_TEMPLATES } from '../../../../support/templates';

// What Ollama does around the template (routes.go ChatHandler, prompt.go chatPrompt, template.go
// Execute/collate), checked through renderChat.

const echo = '{{- range .Messages }}[{{ .Role }}:{{ .Content }}]{{ end }}';

describe('renderChat: message preparation', () => {
  it("prepends the model's default system prompt only when the chat does not start with a system message", () => {
    assert.equal(renderChat(echo, { messages: [{ role: 'user', content: 'hi' }], system: 'S' }).prompt, '[system:S][user:hi]');
    assert.equal(
      renderChat(echo, {
        messages: [
          { role: 'system', content: 'mine' },
          { role: 'user', content: 'hi' },
        ],
        system: 'S',
      }).prompt,
      '[system:mine][user:hi]',
    );
  });
  it("puts the Modelfile MESSAGEs before the request's, after the default system prompt", () => {
    const modelMessages: ChatTemplateMessage[] = [
      { role: 'user', content: 'q0' },
      { role: 'assistant', content: 'a0' },
    ];
    assert.equal(
      renderChat(echo, { messages: [{ role: 'user', content: 'q1' }], modelMessages, system: 'S' }).prompt,
      '[system:S][user:q0][assistant:a0][user:q1]',
    );
  });
  it('lowercases roles, as api.Message.UnmarshalJSON does', () => {
    assert.equal(renderChat(echo, { messages: [{ role: 'USER', content: 'hi' }] }).prompt, '[user:hi]');
  });
  it('merges consecutive same-role messages with a blank line, never tool messages; .System joins all system messages', () => {
    const r = renderChat(`{{ .System }}|${echo}`, {
      messages: [
        { role: 'system', content: 'A' },
        { role: 'system', content: 'B' },
        { role: 'user', content: 'u1' },
        { role: 'user', content: 'u2' },
        { role: 'tool', content: 't1' },
        { role: 'tool', content: 't2' },
      ],
    });
    assert.equal(r.prompt, 'A\n\nB|[system:A\n\nB][user:u1\n\nu2][tool:t1][tool:t2]');
    assert.equal(r.system, 'A\n\nB');
    assert.equal(r.mode, 'messages');
  });
  it('tags images: a [img-N] prefix, or the first [img] placeholder replaced, numbered across messages', () => {
    const r = renderChat(echo, {
      messages: [
        { role: 'user', content: 'look', images: ['aGk=', 'aGk='] },
        { role: 'user', content: 'see [img] here', images: ['aGk='] },
      ],
    });
    assert.equal(r.prompt, '[user:[img-0][img-1]look\n\nsee [img-2] here]');
  });
  it('strips <think> blocks from assistant turns before the last user turn when asked (qwen3 family, deepseek-r1)', () => {
    const messages: ChatTemplateMessage[] = [
      { role: 'user', content: 'q1' },
      { role: 'assistant', content: '<think>\nplan\n</think>\n\nanswer 1' },
      { role: 'user', content: 'q2' },
      { role: 'assistant', content: '<think>kept</think>partial' },
    ];
    assert.equal(renderChat(echo, { messages, stripThinkTags: true }).prompt, '[user:q1][assistant:answer 1][user:q2][assistant:<think>kept</think>partial]');
    assert.equal(
      renderChat(echo, { messages }).prompt,
      '[user:q1][assistant:<think>\nplan\n</think>\n\nanswer 1][user:q2][assistant:<think>kept</think>partial]',
    );
    assert.equal(stripsThinkTags('qwen3', 'qwen3:8b'), true);
    assert.equal(stripsThinkTags('qwen2', 'library/deepseek-r1:8b'), true);
    assert.equal(stripsThinkTags('llama', 'llama3.2:3b'), false);
  });
  it("stripThinkTags follows Ollama's one-pass thinking.Parser", () => {
    assert.equal(stripThinkTags('  no tags  '), '  no tags  ');
    assert.equal(stripThinkTags(' \n '), '');
    assert.equal(stripThinkTags('<thi'), '');
    assert.equal(stripThinkTags('<think>never closed'), '');
    assert.equal(stripThinkTags('<think>a</think>b</think>c'), 'b</think>c');
  });
});

describe('renderChat: think flags', () => {
  it('maps the request field to .Think/.ThinkLevel/.IsThinkSet as api.ThinkValue does', () => {
    assert.deepEqual(thinkFlags(true, true), { think: true, thinkLevel: 'medium', isThinkSet: true });
    assert.deepEqual(thinkFlags('high', true), { think: true, thinkLevel: 'high', isThinkSet: true });
    assert.deepEqual(thinkFlags(false, true), { think: false, thinkLevel: '', isThinkSet: true });
    assert.deepEqual(thinkFlags(undefined, true), { think: true, thinkLevel: 'medium', isThinkSet: true });
    assert.deepEqual(thinkFlags(undefined, true, '0.12.3'), { think: false, thinkLevel: '', isThinkSet: false });
    assert.deepEqual(thinkFlags(undefined, false), { think: false, thinkLevel: '', isThinkSet: false });
    assert.deepEqual(thinkFlags(false, false), { think: false, thinkLevel: '', isThinkSet: true });
  });
  it('refuses think on a model without the capability (Ollama: HTTP 400)', () => {
    assert.throws(
      () => thinkFlags('low', false),
      (e: unknown) => e instanceof TemplateError && e.kind === 'request',
    );
  });
  it('lets a template read the level', () => {
    assert.equal(
      renderChat('{{ range .Messages }}{{ end }}{{ .ThinkLevel }}/{{ .Think }}/{{ .IsThinkSet }}', {
        messages: [{ role: 'user', content: 'x' }],
        think: 'low',
        thinkingCapable: true,
      }).prompt,
      'low/true/true',
    );
  });
});

describe('renderChat: Go value types by Ollama version', () => {
  const msg: ChatTemplateMessage[] = [{ role: 'user', content: 'hi' }];
  it('eras: api before 0.14, template types to 0.29, template types with templateTool.String from 0.30', () => {
    assert.deepEqual(['0.12.6', '0.13.5', '0.14.0', '0.29.9', '0.30.0', '0.33.0-rc1', undefined].map(eraForVersion), [
      'api',
      'api',
      'template',
      'template',
      'template-tool-string',
      'template-tool-string',
      'template-tool-string',
    ]);
    assert.equal(compareVersions('0.9.6', '0.12.4'), -1);
    assert.throws(() => compareVersions('latest', '0.1'), TemplateError);
  });
  it('{{ json . }} of a message: untagged templateMessage fields since 0.14, api.Message JSON tags before', () => {
    const t = '{{ range .Messages }}{{ json . }}{{ end }}';
    assert.equal(
      renderChat(t, { messages: msg, ollamaVersion: '0.33.0' }).prompt,
      '{"Role":"user","Content":"hi","Thinking":"","Images":null,"ToolCalls":null,"ToolName":"","ToolCallID":""}',
    );
    assert.equal(renderChat(t, { messages: msg, ollamaVersion: '0.13.0' }).prompt, '{"role":"user","content":"hi"}');
  });
  it('{{ . }} of a message prints the struct as fmt does', () => {
    assert.equal(renderChat('{{ range .Messages }}{{ . }}{{ end }}', { messages: msg }).prompt, '{user hi  [] []  }');
  });
  it('refuses {{ .Messages }}: Go prints pointer addresses there, which no one can predict', () => {
    assert.throws(
      () => renderChat('{{ .Messages }}', { messages: msg }),
      (e: unknown) => e instanceof TemplateError && e.kind === 'unsupported' && /memory address/.test(e.detail),
    );
  });
  it('{{ .Tools }} is "null" without tools and "[]" with an empty list; both are false', () => {
    const t = '{{ range .Messages }}{{ end }}{{ .Tools }}{{ if .Tools }}!{{ end }}';
    assert.equal(renderChat(t, { messages: msg }).prompt, 'null');
    assert.equal(renderChat(t, { messages: msg, tools: [] }).prompt, '[]');
  });
  it('tool call arguments without a value print "{}" (0.14+) or "null" (api era)', () => {
    const t = '{{ range .Messages }}{{ range .ToolCalls }}{{ .Function.Name }}{{ .Function.Arguments }}{{ end }}{{ end }}';
    const messages: ChatTemplateMessage[] = [{ role: 'assistant', content: '', tool_calls: [{ function: { name: 'f' } }] }];
    assert.equal(renderChat(t, { messages }).prompt, 'f{}');
    assert.equal(renderChat(t, { messages, ollamaVersion: '0.13.5' }).prompt, 'fnull');
  });
  it('drops JSON-schema keys Ollama does not keep, preserves nested property order, and converts types for toTypeScriptType', () => {
    const tools = [
      {
        type: 'function',
        function: {
          name: 'f',
          parameters: {
            type: 'object',
            properties: {
              n: { type: 'integer', minimum: 0, description: 'count' },
              o: { type: 'object', properties: { z: { type: 'string' }, a: { type: ['string', 'null'] } } },
              u: { anyOf: [{ type: 'array' }, { type: 'null' }] },
            },
          },
        },
      },
    ];
    const t =
      '{{ range .Messages }}{{ end }}{{ range .Tools }}{{ range $k, $v := .Function.Parameters.Properties }}{{ $k }}:{{ toTypeScriptType $v }};{{ end }}{{ .Function.Parameters.Properties }}{{ end }}';
    assert.equal(
      renderChat(t, { messages: msg, tools }).prompt,
      'n:number;o:Record<string, any>;u:any[] | null;' +
        '{"n":{"type":"integer","description":"count"},"o":{"type":"object","properties":{"z":{"type":"string"},"a":{"type":["string","null"]}}},"u":{"anyOf":[{"type":"array"},{"type":"null"}]}}',
    );
  });
});

describe('renderChat: legacy templates', () => {
  const legacy = '{{ if .System }}S:{{ .System }}|{{ end }}U:{{ .Prompt }}|A:{{ .Response }}<end>';
  it('renders one template execution per exchange; tool messages are ignored', () => {
    const r = renderChat(legacy, {
      messages: [
        { role: 'system', content: 'sys' },
        { role: 'user', content: 'q1' },
        { role: 'assistant', content: 'a1' },
        { role: 'tool', content: 'ignored' },
        { role: 'user', content: 'q2' },
      ],
    });
    assert.equal(r.mode, 'legacy');
    assert.equal(r.prompt, 'S:sys|U:q1|A:a1<end>U:q2|A:');
  });
  it('leaves a last assistant message as a prefix to continue', () => {
    assert.equal(
      renderChat(legacy, {
        messages: [
          { role: 'user', content: 'q' },
          { role: 'assistant', content: 'partial' },
        ],
      }).prompt,
      'U:q|A:partial',
    );
  });
  it('fails like Ollama (HTTP 500) when the cut meets an {{else}} after .Response', () => {
    assert.throws(
      () => renderChat('{{ if .Prompt }}{{ .Prompt }}{{ .Response }}{{ else }}none{{ end }}', { messages: [{ role: 'user', content: 'q' }] }),
      (e: unknown) => e instanceof TemplateError && e.kind === 'exec',
    );
  });
  it("fails like Ollama when the last turn calls one of Ollama's functions: the cut template has no FuncMap", () => {
    assert.throws(
      () => renderChat('{{ currentDate }} {{ .Prompt }}', { messages: [{ role: 'user', content: 'q' }] }),
      (e: unknown) => e instanceof TemplateError && e.kind === 'exec' && /"currentDate" is not a defined function/.test(e.detail),
    );
  });
});

describe('simulateOllamaTruncation (prompt.go chatPrompt)', () => {
  const tpl = ChatTemplate.compile(echo);
  const countChars = (p: string): number => p.length;
  const messages: ChatTemplateMessage[] = [
    { role: 'system', content: 'sys' },
    { role: 'user', content: 'old question' },
    { role: 'assistant', content: 'old answer' },
    { role: 'user', content: 'new' },
  ];
  it('keeps everything that fits', () => {
    const r = simulateOllamaTruncation(tpl, { messages }, { numCtx: 1000, countTokens: countChars });
    assert.equal(r.firstKept, 0);
    assert.equal(r.rendered.prompt, '[system:sys][user:old question][assistant:old answer][user:new]');
  });
  it('drops the oldest messages, keeping the system messages and the last message', () => {
    const r = simulateOllamaTruncation(tpl, { messages }, { numCtx: 45, countTokens: countChars });
    assert.equal(r.rendered.prompt, '[system:sys][assistant:old answer][user:new]');
    assert.equal(r.firstKept, 2);
    assert.equal(r.tokens, r.rendered.prompt.length);
  });
  it('keeps the last message even when nothing fits', () => {
    const r = simulateOllamaTruncation(tpl, { messages }, { numCtx: 1, countTokens: countChars });
    assert.equal(r.rendered.prompt, '[system:sys][user:new]');
  });
  it('counts images and tags the kept ones from 0', () => {
    const withImages: ChatTemplateMessage[] = [
      { role: 'user', content: 'a', images: ['aGk='] },
      { role: 'assistant', content: 'b' },
      { role: 'user', content: 'c', images: ['aGk='] },
    ];
    const r = simulateOllamaTruncation(tpl, { messages: withImages }, { numCtx: 800, countTokens: countChars, imageTokens: 768 });
    assert.equal(r.rendered.prompt, '[assistant:b][user:[img-0]c]');
  });
});

describe('ChatTemplate: capabilities', () => {
  it('finds tools, insert (FIM) and thinking as Ollama does', () => {
    assert.deepEqual(ChatTemplate.compile(FAMILY_TEMPLATES['qwen2.5-coder'].template).capabilities(), {
      tools: true,
      insert: true,
      thinking: false,
      thinkingTags: { open: '', close: '' },
    });
    assert.equal(ChatTemplate.compile(FAMILY_TEMPLATES['deepseek-r1'].template).capabilities().thinking, true);
    assert.equal(ChatTemplate.compile(FAMILY_TEMPLATES.gemma3.template).capabilities().tools, false);
  });
});
