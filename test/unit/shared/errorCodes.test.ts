import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { ERROR_CODES, isErrorCode } from '../../../src/shared/errorCodes';

// The closed union of error codes: one style, no duplicates, and every code a TherapistError declares is in it
// (the compiler checks the type; this also catches a code built from a string at run time).
describe('error codes', () => {
  it('are kebab-case and unique', () => {
    for (const code of ERROR_CODES) assert.match(code, /^[a-z]+(-[a-z]+)*$/, code);
    assert.equal(new Set(ERROR_CODES).size, ERROR_CODES.length);
  });

  it('cover every `readonly code = ...` in the sources, and nothing else is accepted', () => {
    const root = path.resolve(__dirname, '../../../src');
    const declared = new Set<string>();
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const file = path.join(dir, name);
        if (statSync(file).isDirectory()) walk(file);
        else if (file.endsWith('.ts')) for (const m of readFileSync(file, 'utf8').matchAll(/readonly code = '([^']+)'/g)) declared.add(m[1]);
      }
    };
    walk(root);
    assert.ok(declared.size >= 25, `${declared.size} codes declared`);
    for (const code of declared) assert.ok(isErrorCode(code), `${code} is not in ERROR_CODES`);
    assert.equal(isErrorCode('promptTooLarge'), false);
    assert.equal(isErrorCode(undefined), false);
  });
});
