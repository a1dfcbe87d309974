import assert from 'node:assert/strict';
import { ChatTemplate, TemplateError, renderChat, type ChatTemplateMessage, type ChatTemplateTool } from '../../../../../src/core/request/chatTemplate';
import { collate } from '../../../../../src/core/request/chatTemplate/ollamaMessages';
import { NAMED_TEMPLATES, TOOL_TEMPLATES, TOOL_TEST_MESSAGES, TOOL_TEST_TOOLS, TRAILING_SPACE_TRIMMED } from '../../../../support/templates';

// Ollama's own template tests, mirrored: template/template_test.go (TestTemplate over every named
// template, TestExecuteWithMessages, TestCollate, TestParse, the tool argument/property tests,
// TestDateFunctions), thinking/template_test.go (TestInferThinkingTags) and the June 2025
// tools/testdata goldens.

const CONVERSATIONS: Record<'user' | 'user-assistant-user' | 'system-user-assistant-user', ChatTemplateMessage[]> = {
  user: [{ role: 'user', content: 'Hello, how are you?' }],
  'user-assistant-user': [
    { role: 'user', content: 'Hello, how are you?' },
    { role: 'assistant', content: "I'm doing great. How can I help you today?" },
    { role: 'user', content: "I'd like to show off how chat templating works!" },
  ],
  'system-user-assistant-user': [
    { role: 'system', content: 'You are a helpful assistant.' },
    { role: 'user', content: 'Hello, how are you?' },
    { role: 'assistant', content: "I'm doing great. How can I help you today?" },
    { role: 'user', content: "I'd like to show off how chat templating works!" },
  ],
};

const toolMessages = (): ChatTemplateMessage[] =>
  TOOL_TEST_MESSAGES.map((m) => ({
    role: m.role,
    content: m.content ?? '',
    tool_call_id: m.tool_call_id,
    tool_calls: m.tool_calls?.map((c) => ({ id: c.id, function: { name: c.function.name, arguments: c.function.arguments } })),
  }));
const toolDefs = TOOL_TEST_TOOLS as unknown as ChatTemplateTool[];

describe('chat templates: Ollama template/testdata goldens (TestTemplate)', () => {
  it('covers all 20 named templates', () => {
    assert.equal(NAMED_TEMPLATES.length, 20);
  });
  for (const named of NAMED_TEMPLATES) {
    for (const [name, messages] of Object.entries(CONVERSATIONS)) {
      it(`${named.name} renders ${name} as Ollama's testdata`, () => {
        let got = renderChat(named.template, { messages, ollamaVersion: '0.33.0' }).prompt;
        if (TRAILING_SPACE_TRIMMED.includes(named.name) && got.endsWith(' ')) got = got.slice(0, -1);
        assert.equal(got, named.expected[name as keyof typeof CONVERSATIONS]);
      });
    }
  }
});

describe('chat templates: Ollama tools/testdata goldens', () => {
  for (const t of TOOL_TEMPLATES) {
    it(`${t.name} renders the tool conversation as the June 2025 golden (Ollama < 0.14 value types)`, () => {
      assert.equal(renderChat(t.template, { messages: toolMessages(), tools: toolDefs, ollamaVersion: '0.13.5' }).prompt, t.expected);
    });
  }

  const byName = (n: string): string => {
    const t = TOOL_TEMPLATES.find((x) => x.name === n);
    assert.ok(t);
    return t.template;
  };
  const functionLine = (prompt: string): string | undefined => prompt.split('\n').find((l) => l.startsWith('{"type": "function", "function": '));

  it("0.14+: qwen's {{ .Function }} prints Go struct syntax (ollama/ollama#14601), exactly as the issue shows", () => {
    for (const v of ['0.14.0', '0.29.3', '0.33.0']) {
      const prompt = renderChat(byName('qwen3'), { messages: toolMessages(), tools: toolDefs, ollamaVersion: v }).prompt;
      assert.equal(
        functionLine(prompt),
        '{"type": "function", "function": {get_current_weather Get the current weather {object <nil> <nil> [location format] ' +
          '{"format":{"type":"string","description":"The temperature unit to use. Infer this from the user\'s location.","enum":["celsius","fahrenheit"]},' +
          '"location":{"type":"string","description":"The city and state, e.g. San Francisco, CA"}}}}}',
        v,
      );
    }
  });

  it("0.14-0.29: llama3.2's {{ . }} over .Tools prints a Go struct; 0.30+ prints JSON again (#16031)", () => {
    const line = (v: string): string | undefined =>
      renderChat(byName('llama3.2'), { messages: toolMessages(), tools: toolDefs, ollamaVersion: v })
        .prompt.split('\n')
        .find((l) => l.includes('get_current_weather Get') || l.startsWith('{"type":"function"'));
    assert.match(line('0.20.0') ?? '', /^\{function <nil> \{get_current_weather Get the current weather \{object <nil> <nil> \[location format\] \{"format"/);
    assert.match(
      line('0.30.0') ?? '',
      /^\{"type":"function","function":\{"name":"get_current_weather","description":"Get the current weather","parameters":\{"type":"object","required":\["location","format"\],"properties":\{"format"/,
    );
  });

  it("mistral's {{ $.Tools }} and {{ .Function.Arguments }} print JSON in every version", () => {
    const golden = TOOL_TEMPLATES.find((x) => x.name === 'mistral');
    assert.ok(golden);
    for (const v of ['0.12.0', '0.20.0', '0.33.0'])
      assert.equal(renderChat(golden.template, { messages: toolMessages(), tools: toolDefs, ollamaVersion: v }).prompt, golden.expected, v);
  });
});

describe('chat templates: TestExecuteWithMessages', () => {
  const mistralSys = '[INST] {{ if .System }}{{ .System }}\n\n{{ end }}';
  const cases: { name: string; templates: string[]; messages: ChatTemplateMessage[]; expected: string }[] = [
    {
      name: 'mistral',
      templates: [
        `${mistralSys}{{ .Prompt }}[/INST] `,
        `${mistralSys}{{ .Prompt }}[/INST] {{ .Response }}`,
        `${mistralSys}\n{{- range .Messages }}\n{{- if eq .Role "user" }}{{ .Content }}[/INST] {{ else if eq .Role "assistant" }}{{ .Content }}[INST] {{ end }}\n{{- end }}`,
      ],
      messages: [
        { role: 'user', content: 'Hello friend!' },
        { role: 'assistant', content: 'Hello human!' },
        { role: 'user', content: 'What is your name?' },
      ],
      expected: '[INST] Hello friend![/INST] Hello human![INST] What is your name?[/INST] ',
    },
    {
      name: 'mistral system',
      templates: [
        `${mistralSys}{{ .Prompt }}[/INST] `,
        `${mistralSys}{{ .Prompt }}[/INST] {{ .Response }}`,
        `${mistralSys}\n{{- range .Messages }}\n{{- if eq .Role "user" }}{{ .Content }}[/INST] {{ else if eq .Role "assistant" }}{{ .Content }}[INST] {{ end }}\n{{- end }}`,
      ],
      messages: [
        { role: 'system', content: 'You are a helpful assistant!' },
        { role: 'user', content: 'Hello friend!' },
        { role: 'assistant', content: 'Hello human!' },
        { role: 'user', content: 'What is your name?' },
      ],
      expected: '[INST] You are a helpful assistant!\n\nHello friend![/INST] Hello human![INST] What is your name?[/INST] ',
    },
    {
      name: 'mistral assistant',
      templates: [
        '[INST] {{ .Prompt }}[/INST] ',
        '[INST] {{ .Prompt }}[/INST] {{ .Response }}',
        '\n{{- range $i, $m := .Messages }}\n{{- if eq .Role "user" }}[INST] {{ .Content }}[/INST] {{ else if eq .Role "assistant" }}{{ .Content }}{{ end }}\n{{- end }}',
      ],
      messages: [
        { role: 'user', content: 'Hello friend!' },
        { role: 'assistant', content: 'Hello human!' },
        { role: 'user', content: 'What is your name?' },
        { role: 'assistant', content: 'My name is Ollama and I' },
      ],
      expected: '[INST] Hello friend![/INST] Hello human![INST] What is your name?[/INST] My name is Ollama and I',
    },
    {
      name: 'chatml',
      templates: [
        '{{ if .System }}<|im_start|>system\n{{ .System }}<|im_end|>\n{{ end }}{{ if .Prompt }}<|im_start|>user\n{{ .Prompt }}<|im_end|>\n{{ end }}<|im_start|>assistant\n{{ .Response }}<|im_end|>\n',
        '\n{{- range $index, $_ := .Messages }}<|im_start|>{{ .Role }}\n{{ .Content }}<|im_end|>\n{{ end }}<|im_start|>assistant\n',
      ],
      messages: [
        { role: 'system', content: 'You are a helpful assistant!' },
        { role: 'user', content: 'Hello friend!' },
        { role: 'assistant', content: 'Hello human!' },
        { role: 'user', content: 'What is your name?' },
      ],
      expected:
        '<|im_start|>system\nYou are a helpful assistant!<|im_end|>\n<|im_start|>user\nHello friend!<|im_end|>\n<|im_start|>assistant\nHello human!<|im_end|>\n<|im_start|>user\nWhat is your name?<|im_end|>\n<|im_start|>assistant\n',
    },
  ];
  for (const c of cases) {
    c.templates.forEach((t, i) => {
      it(`${c.name}: variant ${i + 1} (${ChatTemplate.compile(t).usesMessages ? 'messages' : 'legacy'})`, () => {
        assert.equal(renderChat(t, { messages: c.messages }).prompt, c.expected);
      });
    });
  }
});

describe('chat templates: TestCollate', () => {
  it('merges consecutive user messages with a blank line', () => {
    const r = collate([
      { role: 'user', content: 'Hello' },
      { role: 'user', content: 'How are you?' },
    ]);
    assert.deepEqual(r, { system: '', messages: [{ role: 'user', content: 'Hello\n\nHow are you?' }] });
  });
  it('never merges tool messages and keeps their fields', () => {
    const msgs = [
      { role: 'user', content: "What's the weather?" },
      { role: 'tool', content: 'sunny', tool_name: 'get_conditions' },
      { role: 'tool', content: '72F', tool_name: 'get_temperature' },
    ];
    assert.deepEqual(collate(msgs), { system: '', messages: msgs });
  });
  it('collects the system prompt and keeps system messages in the list', () => {
    const msgs = [
      { role: 'system', content: 'You are helpful' },
      { role: 'user', content: 'Hello' },
      { role: 'assistant', content: 'Hi there!' },
      { role: 'user', content: "What's the weather?" },
      { role: 'tool', content: 'sunny', tool_name: 'get_weather' },
      { role: 'tool', content: '72F', tool_name: 'get_temperature' },
      { role: 'user', content: 'Thanks' },
    ];
    assert.deepEqual(collate(msgs), { system: 'You are helpful', messages: msgs });
  });
});

describe('chat templates: TestParse / TestParseError', () => {
  const cases: [string, string, string[]][] = [
    ['PromptOnly', '{{ .Prompt }}', ['prompt', 'response']],
    ['SystemAndPrompt', '{{ .System }} {{ .Prompt }}', ['prompt', 'response', 'system']],
    ['PromptResponseSystem', '{{ .System }} {{ .Prompt }} {{ .Response }}', ['prompt', 'response', 'system']],
    ['ToolsBlock', '{{ with .Tools }}{{ . }}{{ end }} {{ .System }} {{ .Prompt }}', ['prompt', 'response', 'system', 'tools']],
    ['MessagesRange', '{{ range .Messages }}{{ .Role }} {{ .Content }}{{ end }}', ['content', 'messages', 'role']],
    [
      'ToolResultConditional',
      '{{ range .Messages }}{{ if eq .Role "tool" }}Tool Result: {{ .ToolName }} {{ .Content }}{{ end }}{{ end }}',
      ['content', 'messages', 'role', 'toolname'],
    ],
    [
      'MultilineSystemUserAssistant',
      '{{- range .Messages }}\n{{- if eq .Role "system" }}SYSTEM:\n{{- else if eq .Role "user" }}USER:\n{{- else if eq .Role "assistant" }}ASSISTANT:\n{{- else if eq .Role "tool" }}TOOL:\n{{- end }} {{ .Content }}\n{{- end }}',
      ['content', 'messages', 'role'],
    ],
    [
      'ChatMLLike',
      '{{- if .Messages }}\n{{- range .Messages }}<|im_start|>{{ .Role }}\n{{ .Content }}<|im_end|>\n{{ end }}<|im_start|>assistant\n{{ else -}}\n{{ if .System }}<|im_start|>system\n{{ .System }}<|im_end|>\n{{ end }}{{ if .Prompt }}<|im_start|>user\n{{ .Prompt }}<|im_end|>\n{{ end }}<|im_start|>assistant\n{{ .Response }}<|im_end|>\n{{- end -}}',
      ['content', 'messages', 'prompt', 'response', 'role', 'system'],
    ],
  ];
  for (const [name, source, vars] of cases) {
    it(`${name}: vars ${vars.join(',')}`, () => {
      assert.deepEqual(ChatTemplate.compile(source).vars, vars);
    });
  }
  it('an unclosed action is a parse error saying "unclosed action"', () => {
    assert.throws(
      () => ChatTemplate.compile('{{ .Prompt '),
      (e: unknown) => e instanceof TemplateError && e.kind === 'parse' && /unclosed action/.test(e.message),
    );
  });
  it('{{define}}/{{template}} are refused as unsupported (Ollama refuses them too: "undefined template specified")', () => {
    assert.throws(
      () => ChatTemplate.compile('{{define "x"}}{{template "x"}}{{end}}{{template "x"}}'),
      (e: unknown) => e instanceof TemplateError && e.kind === 'unsupported' && e.construct === '{{define}}',
    );
  });
});

describe('chat templates: tool call arguments and properties (TestTemplateArgumentsJSON & co.)', () => {
  const call: ChatTemplateMessage = {
    role: 'assistant',
    content: '',
    tool_calls: [{ function: { name: 'get_weather', arguments: { location: 'Tokyo', unit: 'celsius' } } }],
  };
  const tool: ChatTemplateTool = {
    type: 'function',
    function: {
      name: 'get_weather',
      description: 'Get weather',
      parameters: { type: 'object', properties: { location: { type: 'string', description: 'City name' } } },
    },
  };

  it('{{ .Function.Arguments }} prints JSON, not map[...]', () => {
    assert.equal(
      renderChat('{{- range .Messages }}{{- range .ToolCalls }}{{ .Function.Arguments }}{{- end }}{{- end }}', { messages: [call] }).prompt,
      '{"location":"Tokyo","unit":"celsius"}',
    );
  });
  it('{{ .Function.Parameters.Properties }} prints JSON', () => {
    assert.equal(
      renderChat('{{- range .Messages }}{{- end }}{{- range .Tools }}{{ .Function.Parameters.Properties }}{{- end }}', {
        messages: [{ role: 'user', content: 'test' }],
        tools: [tool],
      }).prompt,
      '{"location":{"type":"string","description":"City name"}}',
    );
  });
  it('ranges over arguments', () => {
    assert.equal(
      renderChat('{{- range .Messages }}{{- range .ToolCalls }}{{- range $k, $v := .Function.Arguments }}{{ $k }}={{ $v }};{{- end }}{{- end }}{{- end }}', {
        messages: [{ ...call, tool_calls: [{ function: { name: 'get_weather', arguments: { city: 'Tokyo' } } }] }],
      }).prompt,
      'city=Tokyo;',
    );
  });
  it('ranges over properties and prints a PropertyType with its String()', () => {
    assert.equal(
      renderChat(
        '{{- range .Messages }}{{- end }}{{- range .Tools }}{{- range $name, $prop := .Function.Parameters.Properties }}{{ $name }}:{{ $prop.Type }};{{- end }}{{- end }}',
        { messages: [{ role: 'user', content: 'test' }], tools: [tool] },
      ).prompt,
      'location:string;',
    );
  });
});

describe('chat templates: TestDateFunctions (with an injected clock)', () => {
  const now = (): Date => new Date(2026, 1, 1, 9, 30);
  it('currentDate is today as YYYY-MM-DD', () => {
    assert.equal(
      renderChat('{{- range .Messages }}{{ .Content }}{{ end }} Today is {{ currentDate }}', { messages: [{ role: 'user', content: 'Hello' }], now }).prompt,
      'Hello Today is 2026-02-01',
    );
  });
  it('yesterdayDate crosses a month boundary', () => {
    assert.equal(
      renderChat('{{- range .Messages }}{{ .Content }}{{ end }} Yesterday was {{ yesterdayDate "ignored format" }}', {
        messages: [{ role: 'user', content: 'Hello' }],
        now,
      }).prompt,
      'Hello Yesterday was 2026-01-31',
    );
  });
});

describe('chat templates: thinking tag inference (thinking/template_test.go)', () => {
  const basic = `
			{{ if .Thinking}}
				/think
			{{ end }}
			{{- range $i, $_ := .Messages }}
				{{- $last := eq (len (slice $.Messages $i)) 1 -}}
				{{ if and $last .Thinking }}
					<think>{{ .Thinking }}</think>
				{{ end }}
			{{ end }}
		`;
  it('finds <think> and </think> around .Thinking inside a range over .Messages', () => {
    assert.deepEqual(ChatTemplate.compile(basic).capabilities().thinkingTags, { open: '<think>', close: '</think>' });
  });
  it('ignores .Thinking whose nearest range is not over .Messages', () => {
    const nested = `
			{{ if .Thinking}}
				/think
			{{ end }}
			{{- range $i, $_ := .Messages }}
				{{- range $j, $_ := .NotMessages }}
					{{- $last := eq (len (slice $.Messages $i)) 1 -}}
					{{ if and $last .Thinking }}
						<think>{{ .Thinking }}</think>
					{{ end }}
				{{ end }}
			{{ end }}
		`;
    assert.deepEqual(ChatTemplate.compile(nested).capabilities().thinkingTags, { open: '', close: '' });
  });
  it('trims the tags', () => {
    const t = basic.replace('<think>{{ .Thinking }}</think>', 'Some text before   {{ .Thinking }}    Some text after');
    assert.deepEqual(ChatTemplate.compile(t).capabilities().thinkingTags, { open: 'Some text before', close: 'Some text after' });
  });
});
