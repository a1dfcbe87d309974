import assert from 'node:assert/strict';
import { ExcludeRules, globToRegExp } from '../../../../src/host/retrieval/excludeGlobs';

describe("exclude settings: VS Code's globs over workspace paths", () => {
  const matches = (glob: string, path: string) => globToRegExp(glob).test(path);

  it('** spans folders (none included), * and ? stay inside one', () => {
    assert.ok(matches('**/node_modules', 'node_modules'));
    assert.ok(matches('**/node_modules', 'a/b/node_modules'));
    assert.ok(!matches('**/node_modules', 'a/node_modules_old'));
    assert.ok(matches('out/**', 'out/a/b.js'));
    assert.ok(matches('*.log', 'x.log'));
    assert.ok(!matches('*.log', 'a/x.log'));
    assert.ok(matches('**/*.log', 'a/x.log'));
    assert.ok(matches('src/?.ts', 'src/a.ts'));
    assert.ok(!matches('src/?.ts', 'src/ab.ts'));
  });

  it('braces, character classes (negated too), and literal dots', () => {
    assert.ok(matches('**/*.{js,map}', 'dist/a.map'));
    assert.ok(!matches('**/*.{js,map}', 'dist/a.ts'));
    assert.ok(matches('[ab].ts', 'b.ts'));
    assert.ok(matches('[!ab].ts', 'c.ts') && !matches('[!ab].ts', 'a.ts'));
    assert.ok(!matches('a.ts', 'axts'));
    assert.ok(matches('{unclosed', '{unclosed') && !matches('{unclosed', 'unclosed'), 'unbalanced braces are literal');
  });

  it('files.exclude and search.exclude together; an excluded folder excludes what is inside; `when` clauses and false are not applied', () => {
    const rules = new ExcludeRules(
      { '**/.git': true, '**/*.js': { when: '$(basename).ts' }, tmp: false },
      { '**/node_modules': true, 'build/{out,gen}': true },
    );
    assert.deepEqual(rules.patterns, ['**/.git', '**/node_modules', 'build/{out,gen}']);
    assert.ok(rules.matches('node_modules/x/index.js'));
    assert.ok(rules.matches('pkg/node_modules/x/index.js'));
    assert.ok(rules.matches('build/gen/a.ts'));
    assert.ok(!rules.matches('build/src/a.ts'));
    assert.ok(!rules.matches('src/app.js'));
    assert.ok(!rules.matches('tmp/a.ts'));
    assert.equal(rules.findFilesGlob(), '{**/.git,**/node_modules}', 'a pattern with braces cannot join the group (matches() still applies it)');
    assert.equal(new ExcludeRules(undefined, {}).findFilesGlob(), undefined);
  });
});
