// Conversation summaries (issue 13): when to summarize, the summarize request, the digest fallback, and the
// per-conversation summarizer the host drives between turns. See docs/summaries.md.
export * from './complete';
export * from './digest';
export * from './errors';
export * from './historyRoom';
export * from './mentions';
export * from './summarizer';
export * from './summaryInfo';
export * from './summaryJob';
export * from './summaryMessage';
export * from './summaryPolicy';
export * from './summaryRequest';
export * from './summaryState';
