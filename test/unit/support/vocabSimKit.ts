import { renderChat, type ChatTemplateMessage, type RenderChatInput } from '../../../src/core/request/chatTemplate';
import { OllamaSimulator } from '../../support/ollamaSimulator';
import { post } from '../../support/ollamaTestKit';
import { FAMILY_TEMPLATES, type ModelFamily } from '../../support/templates';
import { loadGemmaTestVocab } from '../../support/vocab/spmFromTokenizerJson';
import { naiveTokenize } from '../../support/vocab/spmNaiveReference';
import { loadTestVocab } from '../../support/vocab/testVocabs';

// Shared by the simulator's real-vocabulary tests: the expectations are computed here from the reference
// tokenizers and the template renderer, independently of the simulator's own code.

export type Vocab = 'llama3' | 'qwen3' | 'deepseek_v3' | 'gemma3';

export const FAMILY: Record<Vocab, ModelFamily> = { llama3: 'llama3.2', qwen3: 'qwen3', deepseek_v3: 'deepseek-v3', gemma3: 'gemma3' };

// llama.cpp adds a BOS for Llama 3 (no GGUF flag, and llama-bpe defaults to add_bos), not for Qwen3 (flag false);
// DeepSeek V3 and Gemma 3 say true in their GGUF.
const BOS: Record<Vocab, boolean> = { llama3: true, qwen3: false, deepseek_v3: true, gemma3: true };

/** llama-server's token count of a rendered prompt: specials parsed, BOS when `addSpecial` and the model adds one. */
export function referenceCount(vocab: Vocab, text: string, addSpecial = true): number {
  if (vocab === 'gemma3') {
    // A literal transcription of llama.cpp's SentencePiece tokenizer over Ollama's gemma3 GGUF arrays: no
    // add_space_prefix key (so llama.cpp's default, a space before text after a special), its user-defined pieces
    // written as normal ones (so `<b>` is text), the control tokens matched.
    const { vocab: v } = loadGemmaTestVocab('ollama');
    const naive = { tokens: v.tokens, scores: v.scores ?? [], types: v.tokenType ?? [], addSpacePrefix: true, addBos: true, bosId: v.bosTokenId ?? 2 };
    return naiveTokenize(naive, text, addSpecial, true).length;
  }
  return loadTestVocab(vocab).reference.encode(text, { add_special_tokens: false }).length + (addSpecial && BOS[vocab] ? 1 : 0);
}

/** The prompt Ollama 0.33 renders for these messages with the family's registry template. */
export function rendered(vocab: Vocab, messages: readonly ChatTemplateMessage[], extra: Partial<RenderChatInput> = {}): string {
  return renderChat(FAMILY_TEMPLATES[FAMILY[vocab]].template, { messages, ollamaVersion: '0.33.0', ...extra }).prompt;
}

export const user = (content: string): ChatTemplateMessage => ({ role: 'user', content });
export const assistant = (content: string): ChatTemplateMessage => ({ role: 'assistant', content });
export const system = (content: string): ChatTemplateMessage => ({ role: 'system', content });

/** A non-streaming chat: status, the parsed body and the raw text. */
export async function chat(sim: OllamaSimulator, body: Record<string, unknown>): Promise<{ status: number; json: Record<string, unknown>; text: string }> {
  const res = await post(`${sim.url}/api/chat`, { stream: false, ...body });
  return { status: res.status, json: JSON.parse(res.text) as Record<string, unknown>, text: res.text };
}

/** Sets the simulated server's version through the control API, as a test of a client would. */
export async function setVersion(sim: OllamaSimulator, version: string): Promise<void> {
  const res = await post(`${sim.url}/__sim/config`, { version });
  if (res.status !== 200) throw new Error(`control API answered ${res.status}: ${res.text}`);
}

/** Words of ordinary prose, `n` of them, deterministic. */
export function prose(n: number, seed = 1): string {
  const words = ['the', 'context', 'window', 'holds', 'tokens', 'of', 'code', 'and', 'prose', 'while', 'Ollama', 'counts', 'every', 'one'];
  let s = seed;
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    out.push(words[s % words.length]);
  }
  return out.join(' ');
}
