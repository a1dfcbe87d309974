// The token engine's public surface (re-exported by src/index.ts, built into dist/core.js).
export * from './budgets';
export * from './contextFit';
export * from './countCache';
export * from './estimateTokenizer';
export * from './graphemes';
export * from './meter';
export * from './optimizer';
export * from './slicing';
export * from './tiktokenTokenizer';
export * from './tokenErrors';
export * from './tokenizer';
export * from './truncation';
export * from './types';
export * from './contentClasses';
