/** What Therapist has learned about one model's tokenizer relative to its own (GPT-2) count. */
export interface CalibrationRecord {
  /** Smoothed model tokens per counted token (prompt_eval_count / our count incl. template overhead). */
  ratio: number;
  /** The most recent observed ratios, newest last (a few only). */
  recent: number[];
  /** How many requests taught it. */
  samples: number;
  /** ISO time of the last update. */
  updatedAt: string;
}

/**
 * Where calibration is kept between sessions. The host backs it with VS Code's globalState (a Memento: sync
 * get, async update); tests and scripts use InMemoryCalibrationStore. Keys are model names.
 */
export interface CalibrationStore {
  get(model: string): CalibrationRecord | undefined;
  set(model: string, record: CalibrationRecord): void | Promise<void>;
}

/** A CalibrationStore in a Map (tests, benchmarks, or a host without persistence). */
export class InMemoryCalibrationStore implements CalibrationStore {
  private readonly records = new Map<string, CalibrationRecord>();

  get(model: string): CalibrationRecord | undefined {
    const record = this.records.get(model);
    return record && { ...record, recent: [...record.recent] };
  }

  set(model: string, record: CalibrationRecord): void {
    this.records.set(model, { ...record, recent: [...record.recent] });
  }
}
