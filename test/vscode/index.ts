// Entry point the VS Code extension host loads in test mode (extensionTestsPath). esbuild bundles it with
// the suites below into out/vscode-tests/index.js; mocha itself is loaded from node_modules.
import * as fs from 'node:fs';
import Mocha from 'mocha';

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', timeout: 60000, color: false, reporter: 'spec' });
  // `npm run test:vscode -- <fragment>` runs only the tests whose title contains it.
  if (process.env.THERAPIST_TEST_GREP) mocha.grep(new RegExp(process.env.THERAPIST_TEST_GREP));
  // Register describe/it globals, then load the suites (require, so they run after the globals exist).
  mocha.suite.emit('pre-require', globalThis, 'therapist-vscode-suite', mocha);
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- suites must load after the globals above exist
  require('./suite/activation.test');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require('./suite/explain.test');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require('./suite/ledger.test');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require('./suite/retrieval.test');
  return new Promise((resolve, reject) => {
    const failures: { title: string; error: string }[] = [];
    const runner = mocha.run((failed) => {
      const file = process.env.THERAPIST_TEST_RESULT_FILE;
      if (file) fs.writeFileSync(file, JSON.stringify({ stats: runner.stats, failures }));
      if (failed > 0) reject(new Error(`${failed} extension-host tests failed`));
      else resolve();
    });
    runner.on('fail', (test, err) => failures.push({ title: test.fullTitle(), error: String(err?.message ?? err) }));
  });
}
