'use strict';
/**
 * Loads the CommonJS bundle (dist/bundle/, rolldown.config.mjs) with V8's code
 * cache: each bundle file is compiled with the code V8 kept from an earlier
 * run (dist/bundle/.v8-cache/), which skips most of the compiling before the
 * first prompt. A file without cached code, or whose cache V8 rejects (another
 * Node, other V8 flags), compiles as usual, and its code is kept at exit, when
 * everything the run used has been compiled. Keeping it is best effort: a
 * bundle directory we cannot write to only means no cache.
 */
const Module = require('node:module');
const vm = require('node:vm');
const fs = require('node:fs');
const path = require('node:path');

/** Run `entry` (a file of the bundle in `dir`) as a CommonJS module, its bundle compiled from the cache. */
function runBundle(dir, entry) {
  const cacheDir = path.join(dir, '.v8-cache');
  const toKeep = [];
  const plainJs = Module._extensions['.js'];
  Module._extensions['.js'] = function (module, filename) {
    if (path.dirname(filename) !== dir) return plainJs(module, filename);
    const source = fs.readFileSync(filename, 'utf8');
    // the name tells one build of the file from another: V8 itself checks only the source's length
    const stat = fs.statSync(filename);
    const cacheFile = path.join(cacheDir, `${path.basename(filename)}-${Math.trunc(stat.mtimeMs)}-${stat.size}-${process.version}.bin`);
    let cachedData;
    try { cachedData = fs.readFileSync(cacheFile); } catch { /* first run of this build */ }
    const script = new vm.Script(Module.wrap(source), { filename, cachedData });
    if (cachedData === undefined || script.cachedDataRejected) toKeep.push({ script, cacheFile });
    const run = script.runInThisContext({ displayErrors: true });
    const require = (id) => module.require(id);
    require.resolve = (request, options) => Module._resolveFilename(request, module, false, options);
    require.cache = Module._cache;
    require.main = process.mainModule;
    return run.call(module.exports, module.exports, require, module, filename, dir);
  };
  process.once('exit', () => {
    if (toKeep.length === 0) return;
    try {
      fs.mkdirSync(cacheDir, { recursive: true });
      for (const { script, cacheFile } of toKeep) {
        // (several tsdbgs may keep the same file at once: each writes its own, the rename is atomic)
        const tmp = `${cacheFile}.${process.pid}`;
        fs.writeFileSync(tmp, script.createCachedData());
        fs.renameSync(tmp, cacheFile);
      }
    } catch { /* read-only install: no cache */ }
  });
  return Module.createRequire(path.join(dir, 'package.json'))(path.join(dir, entry));
}

module.exports = { runBundle };
