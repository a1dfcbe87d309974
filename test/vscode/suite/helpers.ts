import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { TherapistApi } from '../../../src/extension';

export const EXTENSION_ID = 'therapist-dev.therapist';

/** Activates Therapist (as a user running one of its commands would) and returns its test API. */
export async function activateTherapist(): Promise<TherapistApi> {
  const ext = vscode.extensions.getExtension<TherapistApi>(EXTENSION_ID);
  assert.ok(ext, `extension ${EXTENSION_ID} is not installed in this VS Code`);
  const api = await ext.activate();
  assert.ok(ext.isActive, 'extension did not activate');
  assert.ok(api, 'activate() returned no API (activation failed: see the Therapist log)');
  return api;
}

/** Polls `check` until it returns a truthy value or `ms` pass (VS Code applies some changes a moment later). */
export async function eventually<T>(check: () => T | Promise<T>, ms = 10000, what = 'condition'): Promise<NonNullable<T>> {
  const end = Date.now() + ms;
  let last: T | undefined;
  while (Date.now() < end) {
    last = await check();
    if (last) return last as NonNullable<T>;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out after ${ms} ms waiting for ${what} (last value: ${JSON.stringify(last)})`);
}
