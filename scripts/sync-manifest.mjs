#!/usr/bin/env node
// Writes package.json's contributes.configuration.properties from the one settings schema (src/core/config.ts).
// A unit test fails while the two differ; run `npm run sync:manifest` after changing the schema.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
require('tsx/cjs');
const { manifestProperties } = require(path.join(root, 'src/core/config.ts'));
const file = path.join(root, 'package.json');
const pkg = JSON.parse(readFileSync(file, 'utf8'));
pkg.contributes.configuration.properties = manifestProperties();
writeFileSync(file, `${JSON.stringify(pkg, null, 2)}\n`);
console.log(`package.json: ${Object.keys(pkg.contributes.configuration.properties).length} settings written from src/core/config.ts`);
