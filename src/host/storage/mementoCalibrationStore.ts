import type { ClassCalibrationRecord, ClassCalibrationStore } from '../../core/calibration';

/** The subset of vscode.Memento the store needs (globalState: what a model taught follows the user, not the folder). */
export interface MementoLike {
  get<T>(key: string): T | undefined;
  update(key: string, value: unknown): PromiseLike<void>;
}

/**
 * The GPT-2 fallback's per-model fit persisted in VS Code's globalState, so it survives restarts. Records from an
 * older version (one ratio per model) have another shape: the calibrator ignores them and starts from its priors.
 */
export class MementoCalibrationStore implements ClassCalibrationStore {
  constructor(
    private readonly memento: MementoLike,
    private readonly prefix = 'therapist.calibration.',
  ) {}

  get(model: string): ClassCalibrationRecord | undefined {
    return this.memento.get<ClassCalibrationRecord>(this.prefix + model);
  }

  async set(model: string, record: ClassCalibrationRecord): Promise<void> {
    await this.memento.update(this.prefix + model, record);
  }
}
