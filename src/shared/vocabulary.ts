// The words for the parts of a prompt, owned here and used everywhere they are shown: the chat's meter and
// notices, the dashboard, the truncation warning and the log. Every layer may import src/shared/ (it imports nothing).

/** The sections of a prompt. */
export type PromptSection = 'system' | 'user' | 'history' | 'context';
/** What the meter draws: the prompt's sections and the room kept for the answer. */
export type MeterSection = PromptSection | 'reserved';

/** How each section is named to users. */
export const SECTION_LABELS: Readonly<Record<MeterSection, string>> = {
  system: 'system prompt',
  user: 'your message',
  context: 'code context',
  history: 'conversation history',
  reserved: 'reserved for answer',
};

/** The order sections are cut in: the first is cut first (see docs/TOKEN_CONSTRAINTS.md). */
export const TRUNCATION_ORDER: readonly PromptSection[] = ['context', 'history', 'user', 'system'];

/** The order the meter draws its segments in. */
export const METER_ORDER: readonly MeterSection[] = ['system', 'user', 'context', 'history', 'reserved'];

/** True for a section id (for values read back from storage). */
export function isPromptSection(value: unknown): value is PromptSection {
  return value === 'system' || value === 'user' || value === 'history' || value === 'context';
}

/** The labels of some sections, in truncation order: "code context, conversation history". */
export function sectionList(sections: readonly PromptSection[]): string {
  return TRUNCATION_ORDER.filter((s) => sections.includes(s))
    .map((s) => SECTION_LABELS[s])
    .join(', ');
}
