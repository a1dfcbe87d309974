// dist/core.js: the core as a plain CommonJS library (no `vscode`), for scripts, benchmarks and tests.
export * from './errors';
export * from './context/explainContext';
export * from './ledger';
export * from './tokens';
export * from '../tokenCounter';
export * from './ollama';
export * from './calibration';
export * from '../streamingService';
export * from '../modelIntegration';
