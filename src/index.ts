// dist/core.js: the core as a plain CommonJS library (no `vscode`), for scripts, benchmarks and tests.
// This file is the core's public face; nothing under src/core/ imports upward.
export * from './core/errors';
export * from './core/runtime';
export * from './core/context/explainContext';
export * from './core/context/retrieval';
export * from './core/ledger';
export * from './core/tokens';
export * from './core/tokens/model';
export * from './core/tokens/model/spm';
export * from './core/request/chatTemplate';
export * from './core/ollama';
export * from './core/request';
export * from './core/calibration';
export * from './tokenCounter';
export * from './streamingService';
export * from './modelIntegration';
