// Per-model token-ratio learning (re-exported by src/core/index.ts).
export * from './calibrationStore';
export * from './calibrator';
