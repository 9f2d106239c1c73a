// The CLI as one file per subcommand (dist/bundle/): Node resolves and reads
// each of tsdbg's ~330 modules separately, which was most of the time to the
// first prompt. Packages stay outside (loaded from node_modules as usual);
// bin/tsdbg.js falls back to dist/cli/ when the bundle is missing or older.
// Every module a process is started on is an entry of its own: `tsdbg test`
// forks its workers on ./worker.js beside the runner's code.
export default {
  input: { main: 'dist/cli/main.js', worker: 'dist/src/testrunner/worker.js' },
  platform: 'node',
  external: (id) => !id.startsWith('.') && !id.startsWith('/'),
  // whitespace only: names stay (stack traces, error names), a third less to parse at start
  output: { dir: 'dist/bundle', format: 'esm', sourcemap: false, cleanDir: true, minify: { mangle: false, compress: false, codegen: { removeWhitespace: true } } },
  logLevel: 'warn',
};
