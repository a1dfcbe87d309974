import assert from 'node:assert/strict';
import { ChatTemplate, type ChatTemplateMessage, type RenderChatInput } from '../../../../../src/core/request/chatTemplate';
import { FAMILY_TEMPLATES, type ModelFamily } from '../../../../support/templates';

// Golden renders of the templates the Ollama registry serves. Each expected string was derived by hand
// from the template text (trim markers, branches) and, where Ollama has test data for the same
// template shape, matches it (see ollamaTestdata.test.ts).

const SYS = 'You are a coding assistant.';
// Template syntax, markup and non-ASCII text in a message are data: Go's text/template prints them verbatim.
const TRICKY = 'Explain {{ .Content }} & <tags> in Go. ünïcødé 日本 😀';

const systemUser: ChatTemplateMessage[] = [
  { role: 'system', content: SYS },
  { role: 'user', content: 'Hello' },
];
const userOnly: ChatTemplateMessage[] = [{ role: 'user', content: 'Hello' }];
const multiTurn: ChatTemplateMessage[] = [
  { role: 'system', content: SYS },
  { role: 'user', content: 'Hi' },
  { role: 'assistant', content: 'Hello! How can I help?' },
  { role: 'user', content: TRICKY },
];
const thinkingHistory: ChatTemplateMessage[] = [
  { role: 'user', content: 'What is 2+2?' },
  { role: 'assistant', content: '4', thinking: '2+2 is 4.' },
  { role: 'user', content: 'And 3+3?' },
];
const thinkingPrefill: ChatTemplateMessage[] = [
  { role: 'user', content: 'What is 2+2?' },
  { role: 'assistant', content: '4', thinking: '2+2 is 4.' },
];

const compiled = new Map<ModelFamily, ChatTemplate>();
function render(family: ModelFamily, messages: ChatTemplateMessage[], extra: Partial<RenderChatInput> = {}): string {
  let t = compiled.get(family);
  if (!t) {
    t = ChatTemplate.compile(FAMILY_TEMPLATES[family].template);
    compiled.set(family, t);
  }
  return t.render({ messages, ollamaVersion: '0.33.0', ...extra }).prompt;
}

const L3H = (role: string): string => `<|start_header_id|>${role}<|end_header_id|>\n\n`;

describe('registry templates: llama3.2 and llama3.1', () => {
  const cutoff = `<|start_header_id|>system<|end_header_id|>\n\nCutting Knowledge Date: December 2023\n\n`;
  it('llama3.2: system + user', () => {
    assert.equal(render('llama3.2', systemUser), `${cutoff}${SYS}<|eot_id|>${L3H('user')}Hello<|eot_id|>${L3H('assistant')}`);
  });
  it('llama3.2: the knowledge-date system block is there even without a system prompt', () => {
    assert.equal(render('llama3.2', userOnly), `${cutoff}<|eot_id|>${L3H('user')}Hello<|eot_id|>${L3H('assistant')}`);
  });
  it('llama3.2: multi-turn with template syntax, markup and unicode in the content', () => {
    assert.equal(
      render('llama3.2', multiTurn),
      `${cutoff}${SYS}<|eot_id|>${L3H('user')}Hi<|eot_id|>${L3H('assistant')}Hello! How can I help?<|eot_id|>${L3H('user')}${TRICKY}<|eot_id|>${L3H('assistant')}`,
    );
  });
  it("llama3.2: ignores an assistant turn's thinking (the template has no .Thinking) and leaves a last assistant turn open", () => {
    assert.equal(
      render('llama3.2', thinkingPrefill),
      `${cutoff}<|eot_id|>${L3H('user')}What is 2+2?<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n4`,
    );
  });
  it('llama3.1: system block only when there is a system prompt or tools', () => {
    assert.equal(render('llama3.1', systemUser), `${L3H('system')}${SYS}<|eot_id|>${L3H('user')}Hello<|eot_id|>${L3H('assistant')}`);
    assert.equal(render('llama3.1', userOnly), `${L3H('user')}Hello<|eot_id|>${L3H('assistant')}`);
  });
  it('llama3.1: multi-turn', () => {
    assert.equal(
      render('llama3.1', multiTurn),
      `${L3H('system')}${SYS}<|eot_id|>${L3H('user')}Hi<|eot_id|>${L3H('assistant')}Hello! How can I help?<|eot_id|>${L3H('user')}${TRICKY}<|eot_id|>${L3H('assistant')}`,
    );
  });
  it("llama 3.x templates are not thinking-capable, so think:true is refused like Ollama's HTTP 400", () => {
    assert.throws(() => render('llama3.1', userOnly, { think: true }), /does not support thinking/);
    assert.equal(render('llama3.1', userOnly, { think: false }), `${L3H('user')}Hello<|eot_id|>${L3H('assistant')}`);
  });
});

describe('registry templates: qwen3 (thinking) and qwen2.5-coder', () => {
  const sys = `<|im_start|>system\n\n${SYS}<|im_end|>\n`;
  it('qwen3 is thinking-capable by its template (tags <think> </think>) and has tools', () => {
    const caps = ChatTemplate.compile(FAMILY_TEMPLATES.qwen3.template).capabilities();
    assert.deepEqual(caps, { tools: true, insert: false, thinking: true, thinkingTags: { open: '<think>', close: '</think>' } });
  });
  it('qwen3, think absent (ON since 0.12.4): " /think" on the last user turn; the system block starts with a blank line', () => {
    assert.equal(render('qwen3', systemUser), `${sys}<|im_start|>user\nHello /think<|im_end|>\n<|im_start|>assistant\n`);
    assert.equal(render('qwen3', systemUser, { think: true }), render('qwen3', systemUser));
  });
  it('qwen3, think false: " /no_think" and an empty think block the model continues after', () => {
    assert.equal(
      render('qwen3', systemUser, { think: false }),
      `${sys}<|im_start|>user\nHello /no_think<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n`,
    );
  });
  it('qwen3 before 0.12.4: think absent sets nothing, so neither /think nor /no_think', () => {
    assert.equal(render('qwen3', systemUser, { ollamaVersion: '0.12.3' }), `${sys}<|im_start|>user\nHello<|im_end|>\n<|im_start|>assistant\n`);
  });
  it('qwen3 multi-turn: only the last user turn gets the switch', () => {
    assert.equal(
      render('qwen3', multiTurn, { think: false }),
      `${sys}<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\nHello! How can I help?<|im_end|>\n<|im_start|>user\n${TRICKY} /no_think<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n`,
    );
  });
  it('qwen3 drops the thinking of assistant turns before the last user turn', () => {
    assert.equal(
      render('qwen3', thinkingHistory),
      '<|im_start|>user\nWhat is 2+2?<|im_end|>\n<|im_start|>assistant\n4<|im_end|>\n<|im_start|>user\nAnd 3+3? /think<|im_end|>\n<|im_start|>assistant\n',
    );
  });
  it('qwen3 keeps the thinking of a last (prefilled) assistant turn', () => {
    assert.equal(render('qwen3', thinkingPrefill), '<|im_start|>user\nWhat is 2+2? /think<|im_end|>\n<|im_start|>assistant\n<think>2+2 is 4.</think>\n4');
  });
  it('qwen2.5-coder: system + user, and multi-turn', () => {
    assert.equal(render('qwen2.5-coder', systemUser), `<|im_start|>system\n${SYS}<|im_end|>\n<|im_start|>user\nHello<|im_end|>\n<|im_start|>assistant\n`);
    assert.equal(
      render('qwen2.5-coder', multiTurn),
      `<|im_start|>system\n${SYS}<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\nHello! How can I help?<|im_end|>\n<|im_start|>user\n${TRICKY}<|im_end|>\n<|im_start|>assistant\n`,
    );
  });
  it('qwen2.5-coder is not thinking-capable but think:false is accepted (IsThinkSet, no effect on this template)', () => {
    assert.equal(render('qwen2.5-coder', userOnly, { think: false }), '<|im_start|>user\nHello<|im_end|>\n<|im_start|>assistant\n');
  });
});

describe('registry templates: gemma3', () => {
  it('renders a system message as its own user turn', () => {
    assert.equal(render('gemma3', systemUser), `<start_of_turn>user\n${SYS}<end_of_turn>\n<start_of_turn>user\nHello<end_of_turn>\n<start_of_turn>model\n`);
  });
  it('multi-turn', () => {
    assert.equal(
      render('gemma3', multiTurn),
      `<start_of_turn>user\n${SYS}<end_of_turn>\n<start_of_turn>user\nHi<end_of_turn>\n<start_of_turn>model\nHello! How can I help?<end_of_turn>\n<start_of_turn>user\n${TRICKY}<end_of_turn>\n<start_of_turn>model\n`,
    );
  });
});

describe('registry templates: deepseek-r1, deepseek-coder-v2, deepseek-v3', () => {
  it('deepseek-r1, think absent (ON): no think block before the answer', () => {
    assert.equal(render('deepseek-r1', systemUser), `${SYS}<｜User｜>Hello<｜Assistant｜>`);
  });
  it('deepseek-r1, think false: an empty think block', () => {
    assert.equal(render('deepseek-r1', systemUser, { think: false }), `${SYS}<｜User｜>Hello<｜Assistant｜><think>\n\n</think>\n\n`);
  });
  it('deepseek-r1 multi-turn', () => {
    assert.equal(
      render('deepseek-r1', multiTurn),
      `${SYS}<｜User｜>Hi<｜Assistant｜>Hello! How can I help?<｜end▁of▁sentence｜><｜User｜>${TRICKY}<｜Assistant｜>`,
    );
  });
  it('deepseek-r1 writes the thinking of a last assistant turn only', () => {
    assert.equal(render('deepseek-r1', thinkingPrefill), '<｜User｜>What is 2+2?<｜Assistant｜><think>\n2+2 is 4.\n</think>4');
    assert.equal(render('deepseek-r1', thinkingHistory), '<｜User｜>What is 2+2?<｜Assistant｜>4<｜end▁of▁sentence｜><｜User｜>And 3+3?<｜Assistant｜>');
  });
  it('deepseek-coder-v2: BOS in the template, the system prompt after a space (printf "%s %s")', () => {
    assert.equal(render('deepseek-coder-v2', systemUser), `<｜begin▁of▁sentence｜> ${SYS}\n\nUser: Hello\n\nAssistant:`);
    assert.equal(
      render('deepseek-coder-v2', multiTurn),
      `<｜begin▁of▁sentence｜> ${SYS}\n\nUser: Hi\n\nAssistant: Hello! How can I help?<｜end▁of▁sentence｜>User: ${TRICKY}\n\nAssistant:`,
    );
  });
  it('deepseek-v3: system content raw, a BOS after each finished assistant turn', () => {
    assert.equal(render('deepseek-v3', systemUser), `${SYS}<｜User｜>Hello<｜Assistant｜>`);
    assert.equal(
      render('deepseek-v3', multiTurn),
      `${SYS}<｜User｜>Hi<｜Assistant｜>Hello! How can I help?<｜end▁of▁sentence｜><｜begin▁of▁sentence｜><｜User｜>${TRICKY}<｜Assistant｜>`,
    );
  });
});

describe('registry templates: mistral', () => {
  it('puts the system prompt into the last user turn only', () => {
    assert.equal(render('mistral', systemUser), `[INST] ${SYS}\n\nHello[/INST]`);
    assert.equal(render('mistral', multiTurn), `[INST] Hi[/INST] Hello! How can I help?</s>[INST] ${SYS}\n\n${TRICKY}[/INST]`);
  });
});

describe("registry templates: legacy .System/.Prompt/.Response (deepseek-coder, Therapist's default; llama3)", () => {
  it('deepseek-coder is rendered turn by turn, the last turn cut after .Response', () => {
    const t = ChatTemplate.compile(FAMILY_TEMPLATES['deepseek-coder'].template);
    assert.equal(t.usesMessages, false);
    assert.deepEqual(t.vars, ['prompt', 'response', 'system']);
    assert.equal(render('deepseek-coder', systemUser), `${SYS}\n### Instruction:\nHello\n### Response:\n`);
    assert.equal(render('deepseek-coder', userOnly), '\n### Instruction:\nHello\n### Response:\n');
  });
  it('deepseek-coder multi-turn: the system prompt only in the first turn', () => {
    assert.equal(
      render('deepseek-coder', multiTurn),
      `${SYS}\n### Instruction:\nHi\n### Response:\nHello! How can I help?\n### Instruction:\n${TRICKY}\n### Response:\n`,
    );
  });
  it("deepseek-coder with the model's default SYSTEM (prepended when the chat has no system message)", () => {
    assert.equal(render('deepseek-coder', userOnly, { system: 'Default system.' }), 'Default system.\n### Instruction:\nHello\n### Response:\n');
  });
  it('llama3 (legacy) drops the trailing <|eot_id|> of the last turn and matches the messages-style llama3 layout', () => {
    assert.equal(render('llama3', systemUser), `${L3H('system')}${SYS}<|eot_id|>${L3H('user')}Hello<|eot_id|>${L3H('assistant')}`);
    assert.equal(
      render('llama3', multiTurn),
      `${L3H('system')}${SYS}<|eot_id|>${L3H('user')}Hi<|eot_id|>${L3H('assistant')}Hello! How can I help?<|eot_id|>${L3H('user')}${TRICKY}<|eot_id|>${L3H('assistant')}`,
    );
  });
});
