// The Ollama HTTP client: wire types, NDJSON, errors in the user's words, model facts.
export * from './chatTransport';
export * from './errors';
export * from './http';
export * from './modelInfo';
export * from './ndjson';
export * from './wire';
export * from './retry';
export * from './modelCatalog';
