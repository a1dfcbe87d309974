// Lint, and the layer rules (docs/architecture.md):
//   shared/    imports nothing (every layer may import it: notices, section words, formatters);
//   protocol/  imports only shared/ and itself (the messages host and webview exchange);
//   core       (src/core/, the three services, src/index.ts) never imports VS Code, the host, the webview or the protocol;
//   host       may import VS Code only in the adapter files listed in VSCODE_ADAPTERS; the rest of it stays pure and unit-tests in Node;
//   webview    imports only protocol/, shared/ and browser libraries.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** The only files that may import `vscode`: activation and the thin adapters over VS Code's API. */
const VSCODE_ADAPTERS = [
  'src/extension.ts',
  'src/host/config.ts',
  'src/host/extensionApi.ts',
  'src/host/log.ts',
  'src/host/statusBar.ts',
  'src/host/webviewHtml.ts',
  'src/host/chat/chatPanel.ts',
  'src/host/chat/explainSelection.ts',
  'src/host/chat/vsCodeHostActions.ts',
  'src/host/dashboard/dashboardPanel.ts',
  'src/host/retrieval/folderIndex.ts',
  'src/host/retrieval/indexStatusBar.ts',
  'src/host/retrieval/workspaceIndexService.ts',
];

const noVscode = (where) => ({
  name: 'vscode',
  message: `${where} runs without VS Code: no vscode import (see docs/architecture.md; adapters are listed in eslint.config.mjs).`,
});
const restrict = (paths, patterns) => ['error', { paths, patterns }];

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'node_modules/**', '.tools/**', '.test-output/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      'no-restricted-syntax': [
        'error',
        {
          selector: 'CallExpression[callee.property.name=/^(only|skip)$/][callee.object.name=/^(it|describe|test)$/]',
          message: 'No skipped or exclusive tests.',
        },
      ],
    },
  },
  {
    files: ['src/shared/**/*.ts'],
    rules: {
      'no-restricted-imports': restrict(
        [noVscode('src/shared/')],
        [{ group: ['../*', 'node:*'], message: 'src/shared/ imports nothing outside itself: every layer, the browser included, imports it.' }],
      ),
    },
  },
  {
    files: ['src/protocol/**/*.ts'],
    rules: {
      'no-restricted-imports': restrict(
        [noVscode('src/protocol/')],
        [
          {
            group: [
              '../core/**',
              '../host/**',
              '../webview/**',
              '../*.ts',
              '../extension',
              '../tokenCounter',
              '../streamingService',
              '../modelIntegration',
              'node:*',
            ],
            message: 'The protocol imports only src/shared/ and itself.',
          },
        ],
      ),
    },
  },
  {
    // The core: src/core/, the three services at the root, and src/index.ts (what dist/core.js exports).
    files: ['src/core/**/*.ts', 'src/tokenCounter.ts', 'src/streamingService.ts', 'src/modelIntegration.ts', 'src/index.ts'],
    rules: {
      'no-restricted-imports': restrict(
        [noVscode('The core')],
        [
          {
            group: ['**/host/**', '**/webview/**', '**/protocol/**', '**/extension'],
            message: 'The core may not import the host, the webview or the protocol.',
          },
        ],
      ),
    },
  },
  {
    files: ['src/host/**/*.ts'],
    ignores: VSCODE_ADAPTERS,
    rules: {
      'no-restricted-imports': restrict(
        [noVscode('This host file')],
        [{ group: ['**/webview/**'], message: 'The host talks to the webview only through src/protocol/.' }],
      ),
    },
  },
  {
    files: ['src/webview/**/*.ts'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': restrict(
        [{ name: 'vscode', message: 'The webview runs in a browser: talk to the host through src/protocol/.' }],
        [
          {
            group: ['**/host/**', '**/core/**', '**/extension', '**/tokenCounter', '**/streamingService', '**/modelIntegration'],
            message: 'The webview may only import src/protocol/, src/shared/ and browser libraries.',
          },
        ],
      ),
    },
  },
  {
    files: ['test/ui/**/*.js', 'test/ui/**/*.mjs', 'scripts/**/*.mjs', 'scripts/**/*.js', 'scripts/**/*.cjs', '*.js', '*.mjs', 'test/**/*.js'],
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
