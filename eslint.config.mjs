// Lint, and the layer rules: the core never imports VS Code or the host; the webview never imports
// the host or the core's Node-only code. Only src/protocol.ts is shared by host and webview.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const noVscode = { name: 'vscode', message: 'The core runs in plain Node: no vscode import (see docs/architecture.md).' };

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'node_modules/**', '.tools/**', '.test-output/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      'no-restricted-syntax': ['error', { selector: 'CallExpression[callee.property.name=/^(only|skip)$/][callee.object.name=/^(it|describe|test)$/]', message: 'No skipped or exclusive tests.' }],
    },
  },
  {
    // The core: everything under src/ except the host, the webview and the activation file.
    files: ['src/**/*.ts'],
    ignores: ['src/host/**', 'src/webview/**', 'src/extension.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [noVscode],
        patterns: [{ group: ['**/host/**', '**/webview/**', '**/extension'], message: 'The core may not import the host or the webview.' }],
      }],
    },
  },
  {
    files: ['src/webview/**/*.ts'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: 'vscode', message: 'The webview runs in a browser: talk to the host through src/protocol.ts.' }],
        patterns: [{ group: ['**/host/**', '**/core/**', '**/extension', '**/tokenCounter', '**/streamingService', '**/modelIntegration'], message: 'The webview may only import src/protocol.ts and browser libraries.' }],
      }],
    },
  },
  {
    files: ['test/ui/**/*.js', 'test/ui/**/*.mjs', 'scripts/**/*.mjs', 'scripts/**/*.js', 'scripts/**/*.cjs', '*.js', '*.mjs', 'test/**/*.js'],
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
