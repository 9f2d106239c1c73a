'use strict';
/**
 * Loads the CommonJS bundle (dist/bundle/, rolldown.config.mjs) with V8's code
 * cache: each bundle file is compiled with the code V8 kept from an earlier
 * run (dist/bundle/.v8-cache/), which skips most of the compiling before the
 * first prompt. A file without cached code, or whose cache V8 rejects (another
 * Node, other V8 flags, a damaged file), compiles as usual, and its code is
 * kept at exit, when everything the run used has been compiled. Keeping it is
 * best effort: a bundle directory we cannot write to only means no cache.
 *
 * The bundle's files require each other as "./NAME.js": those load straight
 * from the bundle's directory, without Node's search for the file (its stat,
 * realpath and package.json reads per require); everything else (node:
 * modules, packages left outside the bundle) goes through Node's require.
 */
const Module = require('node:module');
const vm = require('node:vm');
const fs = require('node:fs');
const path = require('node:path');

/** Run `entry` (a file of the bundle in `dir`) as a CommonJS module, the bundle compiled from the cache. */
function runBundle(dir, entry) {
  const cacheDir = path.join(dir, '.v8-cache');
  const toKeep = [];
  const paths = Module._nodeModulePaths(dir);

  const load = (file, parent) => {
    const known = Module._cache[file];
    if (known) return known.exports;
    const module = new Module(file, parent);
    module.filename = file;
    module.paths = paths;
    Module._cache[file] = module;
    try {
      compile(module, file);
    } catch (e) {
      delete Module._cache[file];
      throw e;
    }
    module.loaded = true;
    return module.exports;
  };

  const compile = (module, file) => {
    const source = fs.readFileSync(file, 'utf8');
    // the name tells one build of the file from another: V8 itself checks only the source's length
    const stat = fs.statSync(file);
    const cacheFile = path.join(cacheDir, `${path.basename(file)}-${Math.trunc(stat.mtimeMs)}-${stat.size}-${process.version}.bin`);
    let cachedData;
    try { cachedData = fs.readFileSync(cacheFile); } catch { /* the first run of this build */ }
    const script = new vm.Script(Module.wrap(source), { filename: file, cachedData });
    if (cachedData === undefined || script.cachedDataRejected) toKeep.push({ script, cacheFile });
    const run = script.runInThisContext({ displayErrors: true });
    const require = (id) => (id.startsWith('./') && !id.includes('/', 2) ? load(path.join(dir, id.slice(2)), module) : module.require(id));
    require.resolve = (request, options) => Module._resolveFilename(request, module, false, options);
    require.cache = Module._cache;
    require.main = process.mainModule;
    run.call(module.exports, module.exports, require, module, file, dir);
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
    } catch { /* a read-only install: no cache */ }
  });
  return load(path.join(dir, entry), null);
}

module.exports = { runBundle };
