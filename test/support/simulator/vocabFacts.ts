// The simulated models that have a REAL tokenizer (SimModelConfig.vocab): the model facts each vocabulary comes
// with, and the tokenizer as the runner behind Ollama runs it (built in vocabTokenizers.ts, loaded on first use).
import { createRequire } from 'node:module';
import { FAMILY_TEMPLATES, type ModelFamily } from '../templates';
import type { TestVocabName } from '../vocab/testVocabs';
import type * as VocabTokenizers from './vocabTokenizers';

/** The real vocabularies a simulated model can have. */
export type SimVocabName = TestVocabName | 'gemma3';

export const SIM_VOCABS: readonly SimVocabName[] = ['llama3', 'qwen3', 'deepseek_v3', 'gemma3'];

/** What a model of this vocabulary looks like in Ollama's library (the defaults of a SimModelConfig with `vocab`). */
export interface VocabModelFacts {
  /** `general.architecture` of its GGUF (deepseek_v3 is Ollama's "deepseek2" family, which never shifts context). */
  readonly architecture: string;
  /** `config.json` model_type, the architecture a safetensors (MLX) model reports instead. */
  readonly safetensorsArchitecture: string;
  readonly family: string;
  /** The registry template of its family (test/support/templates). */
  readonly templateFamily: ModelFamily;
  readonly contextLength: number;
  readonly embeddingLength: number;
  readonly parameterCount: number;
  readonly parameterSize: string;
  readonly license: string;
}

export const VOCAB_MODEL_FACTS: Readonly<Record<SimVocabName, VocabModelFacts>> = {
  llama3: {
    architecture: 'llama',
    safetensorsArchitecture: 'llama',
    family: 'llama',
    templateFamily: 'llama3.2',
    contextLength: 131072,
    embeddingLength: 3072,
    parameterCount: 3_212_749_888,
    parameterSize: '3.2B',
    license: 'LLAMA 3.2 COMMUNITY LICENSE AGREEMENT',
  },
  qwen3: {
    architecture: 'qwen3',
    safetensorsArchitecture: 'qwen3',
    family: 'qwen3',
    templateFamily: 'qwen3',
    contextLength: 40960,
    embeddingLength: 4096,
    parameterCount: 8_190_735_360,
    parameterSize: '8.2B',
    license: 'Apache License Version 2.0',
  },
  deepseek_v3: {
    architecture: 'deepseek2',
    safetensorsArchitecture: 'deepseek_v3',
    family: 'deepseek2',
    templateFamily: 'deepseek-v3',
    contextLength: 163840,
    embeddingLength: 7168,
    parameterCount: 671_026_419_200,
    parameterSize: '671.0B',
    license: 'MIT License',
  },
  gemma3: {
    architecture: 'gemma3',
    safetensorsArchitecture: 'gemma3',
    family: 'gemma3',
    templateFamily: 'gemma3',
    contextLength: 32768,
    embeddingLength: 1152,
    parameterCount: 999_885_952,
    parameterSize: '999.89M',
    license: 'Gemma Terms of Use',
  },
};

/** The registry template Ollama serves for a vocabulary's family, and that family's `stop` parameters. */
export function familyTemplate(vocab: SimVocabName): { template: string; stop: readonly string[] } {
  const t = FAMILY_TEMPLATES[VOCAB_MODEL_FACTS[vocab].templateFamily];
  return { template: t.template, stop: t.stop };
}

/** One real tokenizer as the servers behind Ollama run it. */
export interface SimTokenizer {
  /** The GGUF `tokenizer.ggml.*` keys (arrays included), as `/api/show` verbose puts them in model_info. */
  readonly ggufKeys: Readonly<Record<string, unknown>>;
  /** llama.cpp's llama_tokenize(text, add_special, parse_special=true): llama-server's /tokenize and /completion. */
  llamaServer(text: string, addSpecial: boolean): number[];
  /** An MLX (safetensors) model: Ollama's own tokenizer over tokenizer.json (Hugging Face semantics), BOS per add_bos. */
  mlx(text: string): number[];
  /** Ollama's tokenizerAddsBOS (llm/llama_server.go): the GGUF flag alone, false when the key is absent. */
  readonly ollamaAddsBos: boolean;
}

let tokenizers: typeof VocabTokenizers | undefined;

/**
 * The tokenizer of a vocabulary, built once per process (1-3 s the first time: the vocabularies are 4-6 MB).
 * Required on first use, through a require esbuild does not follow: the bundles that embed the simulator (the
 * extension-host suite) never serve a real vocabulary and should not carry @lenml/tokenizers and its data.
 */
export function simTokenizer(name: SimVocabName): SimTokenizer {
  tokenizers ??= createRequire(__filename)('./vocabTokenizers') as typeof VocabTokenizers;
  return tokenizers.simTokenizer(name);
}
