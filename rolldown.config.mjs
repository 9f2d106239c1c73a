// The CLI as one file per subcommand (dist/bundle/): Node resolves and reads
// each of tsdbg's ~330 modules separately, which was most of the time to the
// first prompt. The full-screen UI's packages (ink, react and their ~150
// modules) are bundled too, in the chunk loaded when the UI first starts.
// Packages with native code, WebAssembly or their own worker files, and
// those only tests or other subcommands load, stay outside (loaded from
// node_modules as usual); bin/tsdbg.js falls back to dist/cli/ when the bundle is missing or older.
// Every module a process is started on is an entry of its own: `tsdbg test`
// forks its workers on ./worker.js beside the runner's code.
const OUTSIDE = /^(node:|koffi|iced-x86|@vscode\/|junit-report-builder|tap-parser|fast-xml-parser|@lydell\/node-pty|@xterm\/|react-devtools-core)/;

export default {
  input: { main: 'dist/cli/main.js', worker: 'dist/src/testrunner/worker.js' },
  platform: 'node',
  external: (id) => !id.startsWith('.') && !id.startsWith('/') && OUTSIDE.test(id),
  // whitespace only: names stay (stack traces, error names), a third less to parse at start
  output: { dir: 'dist/bundle', format: 'esm', sourcemap: false, cleanDir: true, minify: { mangle: false, compress: false, codegen: { removeWhitespace: true } } },
  logLevel: 'warn',
};
