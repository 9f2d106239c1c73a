#!/usr/bin/env node
// Entry point: the compiled CLI lives in dist/ (built by `npm install`).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
const main = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(main))) {
  process.stderr.write('tsdbg: not built yet; run `npm install` (or `npm run build`) in the project first\n');
  process.exit(1);
}
await import(main.href);
