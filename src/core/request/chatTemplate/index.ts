// Ollama chat templates (Go text/template) rendered exactly as Ollama renders them, so that the prompt
// Therapist sends can be counted exactly. See docs in renderChat.ts and ollamaValues.ts.
export { ChatTemplate, renderChat, simulateOllamaTruncation } from './renderChat';
export type { PreparedChat, RenderChatInput, RenderedChat, TemplateCapabilities, TruncationOutcome } from './renderChat';
export type { ChatTemplateMessage, ChatTemplateTool, ChatTemplateToolCall, TemplateValueEra, ToolPropertySchema } from './ollamaValues';
export { compareVersions, eraForVersion } from './ollamaValues';
export { stripThinkTags, stripsThinkTags, thinkFlags } from './ollamaMessages';
export type { ThinkFlags, ThinkRequest } from './ollamaMessages';
export { TemplateError } from './templateError';
export type { TemplateErrorKind, TemplatePosition } from './templateError';
