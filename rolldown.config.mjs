// The CLI as one file per subcommand (dist/bundle/): Node resolves and reads
// each of tsdbg's ~330 modules separately, which was most of the time to the
// first prompt. The full-screen UI's packages (ink, react and their ~150
// modules) are bundled too, in the chunk loaded when the UI first starts.
// Packages with native code or their own worker files, and those only tests
// or other subcommands load, stay outside (loaded from node_modules as usual);
// bin/tsdbg.js falls back to dist/cli/ when the bundle is missing or older.
// Every module a process is started on is an entry of its own: `tsdbg test`
// forks its workers on ./worker.js beside the runner's code.
//
// The bundle is CommonJS (dist/bundle/package.json says so): Node 20 keeps no
// compiled code of ES modules between runs, but a CommonJS file can be
// compiled with V8's code cache (bin/code-cache.cjs), which skips most of the
// compiling at start-up. CommonJS has no top-level await, which two of the
// UI's packages use: yoga-layout (its WebAssembly, compiled before the UI
// starts: src/ui/yoga-ready.ts) and ink (only with DEV=true, for React's
// devtools); the plugin below takes those awaits out.
const OUTSIDE = /^(node:|koffi|iced-x86|@vscode\/|junit-report-builder|tap-parser|fast-xml-parser|@lydell\/node-pty|@xterm\/|react-devtools-core)/;

const YOGA = '\0yoga-after-ready';
const noTopLevelAwait = {
  name: 'no-top-level-await',
  resolveId(id) {
    if (id === 'yoga-layout') return YOGA;
    return undefined;
  },
  load(id) {
    // yoga-layout's own index awaits its WebAssembly at the top level; here the same object
    // is filled in when it is compiled, and the UI awaits that (yogaReady) before it renders
    // Its loader also fetch()es its own data: URL where fetch exists: Node's fetch (undici) took
    // ~40 ms to load for that; without fetch the loader decodes the URL in place, as it does in old Nodes.
    if (id === YOGA) {
      return `import { loadYoga } from 'yoga-layout/load';
export * from 'yoga-layout/load';
const Yoga = {};
export default Yoga;
const fetchProperty = Object.getOwnPropertyDescriptor(globalThis, 'fetch');
if (fetchProperty) Object.defineProperty(globalThis, 'fetch', { value: undefined, configurable: true, writable: true });
let loading;
try { loading = loadYoga(); } finally { if (fetchProperty) Object.defineProperty(globalThis, 'fetch', fetchProperty); }
export const ready = loading.then((y) => { Object.assign(Yoga, y); });`;
    }
    if (/[\\/]src[\\/]ui[\\/]yoga-ready\.js$/.test(id)) return "export { ready as yogaReady } from 'yoga-layout';";
    return undefined;
  },
  transform(code, id) {
    if (/[\\/]string-width[\\/]index\.js$/.test(id)) return fastWidths(code);
    if (/[\\/]ink[\\/]build[\\/]output\.js$/.test(id)) return framesShareCaches(code);
    // (DEV=true only: the package.json of ink for the devtools, and their import)
    if (!/[\\/]ink[\\/]build[\\/]reconciler\.js$/.test(id)) return undefined;
    const out = code.replace('? await loadPackageJson()', '? { name: undefined, version: undefined }')
      .replace("await import('./devtools.js');",
        "void import('./devtools.js').catch((e) => { console.warn(`tsdbg: DEV=true, but React's devtools did not load: ${String(e?.message ?? e).split('\\n')[0]}`); });");
    if (out.includes('await loadPackageJson()') || out.includes("await import('./devtools.js')")) throw new Error('ink changed: update rolldown.config.mjs');
    return out;
  },
  generateBundle() {
    this.emitFile({ type: 'asset', fileName: 'package.json', source: '{ "type": "commonjs" }\n' });
  },
};

// string-width measures all but printable ASCII with Intl.Segmenter and \p{RGI_Emoji}: its first
// such string (the UI's first box-drawing line) compiled that regex, ~20 ms of the first frame.
// Box drawing, block elements, arrows and general punctuation (U+2010-2027) are one column each
// (no emoji, no wide or combining character among them; ambiguous ones narrow, string-width's
// default): every code point of those ranges was checked against string-width itself.
const ASCII_ONLY = 'if (/^[\\u0020-\\u007E]*$/.test(string)) {';
// (wrap-ansi's older string-width has no ASCII path to extend: left as it is)
function fastWidths(code) {
  if (!code.includes(ASCII_ONLY)) return undefined;
  return code.replace(ASCII_ONLY, 'if (/^[\\u0020-\\u007E]*$/.test(string) || (ambiguousIsNarrow && /^[\\u0020-\\u007E\\u2010-\\u2027\\u2190-\\u21FF\\u2500-\\u259F]*$/.test(string))) {');
}

// Ink keeps the styled characters and widths of each line it draws in caches of one frame
// (a new Output per render), so every frame tokenizes every line again, though from one stop to
// the next most lines of most panes are the same: about a quarter of the UI's CPU per `next`.
// The frames share one cache here (the cached character objects are only read, never changed),
// emptied when it grows past a screenful of distinct lines many times over.
const OWN_CACHES = '    caches = new OutputCaches();';
function framesShareCaches(code) {
  if (!code.includes(OWN_CACHES) || !code.includes('class OutputCaches {')) throw new Error('ink changed: update rolldown.config.mjs (framesShareCaches)');
  const SLICE = 'return sliceAnsi(line, from, to);';
  if (!code.includes(SLICE)) throw new Error('ink changed: update rolldown.config.mjs (framesShareCaches)');
  // a pane's lines are clipped to its box the same way frame after frame: the slices are kept too
  return code.replace(OWN_CACHES, '    caches = sharedOutputCaches();').replace(SLICE, 'return slicedLine(line, from, to);') + `
let shared;
let slices = new Map();
function sharedOutputCaches() {
  if (!shared || shared.styledChars.size + shared.widths.size > 20000) shared = new OutputCaches();
  return shared;
}
function slicedLine(line, from, to) {
  const key = from + ',' + to + ',' + line;
  let cached = slices.get(key);
  if (cached === undefined) {
    if (slices.size > 20000) slices = new Map();
    cached = sliceAnsi(line, from, to);
    slices.set(key, cached);
  }
  return cached;
}
`;
}

export default {
  input: { main: 'dist/cli/main.js', worker: 'dist/src/testrunner/worker.js' },
  platform: 'node',
  plugins: [noTopLevelAwait],
  // the UI runs React's production build (cli/run.ts sets NODE_ENV before it loads): the
  // development builds (half of the UI's chunk) are left out of the bundle
  transform: { define: { 'process.env.NODE_ENV': '"production"' } },
  external: (id) => !id.startsWith('.') && !id.startsWith('/') && OUTSIDE.test(id),
  // whitespace only: names stay (stack traces, error names), a third less to parse at start
  output: { dir: 'dist/bundle', format: 'cjs', sourcemap: false, cleanDir: true, minify: { mangle: false, compress: false, codegen: { removeWhitespace: true } } },
  logLevel: 'warn',
};
