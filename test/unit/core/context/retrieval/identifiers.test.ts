import assert from 'node:assert/strict';
import fc from 'fast-check';
import { MAX_TERM_CHARS, codeTerms, foldPlural, queryTerms } from '../../../../../src/core/context/retrieval/identifiers';

describe('code terms: identifiers split the way code is written', () => {
  it('splits camelCase and PascalCase, keeping the whole identifier first', () => {
    assert.deepEqual(codeTerms('getUserName'), ['getusername', 'get', 'user', 'name']);
    assert.deepEqual(codeTerms('RateLimiter'), ['ratelimiter', 'rate', 'limiter']);
  });

  it('splits acronyms before the next word (XMLHttpRequest -> xml, http, request)', () => {
    assert.deepEqual(codeTerms('XMLHttpRequest'), ['xmlhttprequest', 'xml', 'http', 'request']);
    assert.deepEqual(codeTerms('parseHTTPResponse'), ['parsehttpresponse', 'parse', 'http', 'response']);
  });

  it('splits snake_case, SCREAMING_CASE and $-prefixed names', () => {
    assert.deepEqual(codeTerms('max_file_bytes'), ['max_file_byte', 'max', 'file', 'byte']);
    assert.deepEqual(codeTerms('MAX_RETRIES'), ['max_retry', 'max', 'retry']);
    assert.deepEqual(codeTerms('$scope_id'), ['$scope_id', 'scope', 'id']);
  });

  it('splits letters from digits and keeps a lone digit part', () => {
    assert.deepEqual(codeTerms('utf8Decode'), ['utf8decode', 'utf', '8', 'decode']);
    assert.deepEqual(codeTerms('base64'), ['base64', 'base', '64']);
  });

  it('keeps kebab-case and slash paths whole as well as in parts', () => {
    assert.deepEqual(codeTerms('font-size'), ['font', 'size', 'font-size']);
    assert.deepEqual(codeTerms("import x from './src/core/index.ts'"), ['import', 'from', 'src', 'core', 'index', 'ts', 'src/core/index.ts']);
  });

  it('does not join words around a spaced minus or a dash before a digit', () => {
    assert.deepEqual(codeTerms('total - offset'), ['total', 'offset']);
    assert.deepEqual(codeTerms('width-1'), ['width']);
  });

  it('drops one-letter words but counts a one-letter part (getX is get + x)', () => {
    assert.deepEqual(codeTerms('for (i = 0; i < n; i++) getX()'), ['for', 'getx', 'get']);
  });

  it('drops words longer than MAX_TERM_CHARS (hashes, base64 blobs)', () => {
    const blob = 'A'.repeat(MAX_TERM_CHARS + 1);
    assert.deepEqual(codeTerms(`key ${blob} value`), ['key', 'value']);
  });

  it('lower-cases accented identifiers and splits them too', () => {
    assert.deepEqual(codeTerms('ÉtatCivil'), ['étatcivil', 'état', 'civil']);
  });

  it('folds English plurals the same way for code and questions', () => {
    assert.equal(foldPlural('tokens'), 'token');
    assert.equal(foldPlural('classes'), 'class');
    assert.equal(foldPlural('entries'), 'entry');
    assert.equal(foldPlural('indexes'), 'index');
    assert.equal(foldPlural('status'), 'status');
    assert.equal(foldPlural('class'), 'class');
    assert.equal(foldPlural('analysis'), 'analysis');
    assert.equal(foldPlural('is'), 'is');
  });

  it('drops stop words from questions and deduplicates', () => {
    assert.deepEqual(queryTerms('Returns the value of the property if the object has the property'), ['return', 'value', 'property', 'object']);
  });

  it('every Unicode space separates words, the Ogham space mark and the byte order mark too', () => {
    assert.deepEqual(codeTerms('\u1680Øre\ufeffbar'), ['øre', 'bar']);
  });

  it('every term is lower-case, non-empty and bounded, for any input', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 300 }), (text) => {
        for (const term of codeTerms(text)) {
          assert.ok(term.length > 0);
          assert.ok(term.length <= MAX_TERM_CHARS * 2 + 1, term);
          assert.equal(term, term.toLowerCase());
          assert.ok(!/\s/.test(term), `whitespace in ${JSON.stringify(term)}`);
        }
      }),
      { numRuns: 300 },
    );
  });
});
