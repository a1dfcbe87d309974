// Per-model token-ratio learning (re-exported by src/index.ts).
export * from './calibrationStore';
export * from './calibrator';
export * from './classCalibrator';
