import type { CalibrationRecord, CalibrationStore } from '../../core/calibration';

/** The subset of vscode.Memento the store needs (globalState: learned ratios follow the user, not the folder). */
export interface MementoLike {
  get<T>(key: string): T | undefined;
  update(key: string, value: unknown): PromiseLike<void>;
}

/** Per-model calibration persisted in VS Code's globalState, so a model's ratio survives restarts. */
export class MementoCalibrationStore implements CalibrationStore {
  constructor(
    private readonly memento: MementoLike,
    private readonly prefix = 'therapist.calibration.',
  ) {}

  get(model: string): CalibrationRecord | undefined {
    return this.memento.get<CalibrationRecord>(this.prefix + model);
  }

  async set(model: string, record: CalibrationRecord): Promise<void> {
    await this.memento.update(this.prefix + model, record);
  }
}
