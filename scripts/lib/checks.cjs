// The one runner for the suites that are scripts rather than mocha files (test-token-counter.js, the webview
// harness, the UI suite): named checks, sync or async, each reported on its own line, and the closing
// `N passed, N failed` line that scripts/test-all.mjs sums. A check fails by throwing.
'use strict';

/** Creates a checks runner; `format` decides how one result line looks. */
function createChecks({
  ok = (name, detail) => `  ✓ ${name}${detail ? ` (${detail})` : ''}`,
  fail = (name, error) =>
    `  ✗ ${name}\n      ${String(error && error.message ? error.message : error)
      .split('\n')
      .slice(0, 6)
      .join('\n      ')}`,
} = {}) {
  const results = [];
  /** Runs one check; `body` may return a detail string (or a promise of one) for the report. */
  function check(name, body) {
    const record = (passed, detailOrError) => {
      results.push({ name, passed });
      console.log(passed ? ok(name, detailOrError) : fail(name, detailOrError));
    };
    try {
      const value = body();
      if (value && typeof value.then === 'function')
        return value.then(
          (d) => record(true, d),
          (e) => record(false, e),
        );
      record(true, value);
    } catch (error) {
      record(false, error);
    }
    return undefined;
  }
  return {
    check,
    /** Counts a failure that happened outside any check (a crash of the suite itself). */
    crashed(error) {
      results.push({ name: 'suite', passed: false });
      console.log(`suite crashed: ${error && error.stack ? error.stack : error}`);
    },
    get passed() {
      return results.filter((r) => r.passed).length;
    },
    get failed() {
      return results.filter((r) => !r.passed).length;
    },
    /** Prints the closing line (with an optional prefix, e.g. `ui: `) and sets the exit code. */
    finish(prefix = '') {
      const passed = results.filter((r) => r.passed).length;
      const failed = results.length - passed;
      console.log(`${prefix}${passed} passed, ${failed} failed`);
      if (failed > 0) process.exitCode = 1;
      return { passed, failed };
    },
  };
}

/** Throws `message` unless `condition` holds. */
function assert(condition, message) {
  if (!condition) throw new Error(message);
}

module.exports = { createChecks, assert };
