#!/usr/bin/env node
// Entry point: the compiled CLI lives in dist/ (built by `npm install`).
// dist/bundle/ is the same code in a few CommonJS files (rolldown.config.mjs),
// which starts faster, more so with V8's code cache (./code-cache.cjs); it is
// used only when it is newer than the compiled CLI, so a bare `tsc` after the
// build never runs stale code.
import { statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
const mtime = (url) => { try { return statSync(url).mtimeMs; } catch { return -1; } };
const compiled = new URL('../dist/cli/main.js', import.meta.url);
const bundled = new URL('../dist/bundle/main.js', import.meta.url);
const built = mtime(compiled);
if (built < 0) {
  process.stderr.write('tsdbg: not built yet; run `npm install` (or `npm run build`) in the project first\n');
  process.exit(1);
}
if (mtime(bundled) >= built && !process.env.TSDBG_NO_BUNDLE) {
  createRequire(import.meta.url)('./code-cache.cjs').runBundle(fileURLToPath(new URL('../dist/bundle', import.meta.url)), 'main.js');
} else {
  await import(compiled.href);
}
