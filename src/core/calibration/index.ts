// Per-model learning of the GPT-2 fallback's ratios per content class (re-exported by src/index.ts).
export * from './classCalibrator';
