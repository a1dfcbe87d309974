// The Ollama client's public surface (re-exported by src/core/index.ts, built into dist/core.js).
export * from './chatTransport';
export * from './errors';
export * from './http';
export * from './ledgerHook';
export * from './modelInfo';
export * from './ndjson';
export * from './promptMessages';
// The ledger exports its own systemClock; this one is the Ollama client's (timers + cancellable sleep).
export { DEFAULT_RETRY, backoffDelay, silentLogger, systemClock as ollamaSystemClock, type Clock, type Logger, type RetryPolicy } from './runtime';
export * from './truncationCheck';
export * from './usageLine';
export * from './wire';
