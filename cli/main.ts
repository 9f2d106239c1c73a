/**
 * tsdbg: command-line entry. Each subcommand lives in its own module and is
 * loaded lazily so `tsdbg vm run` in the guest does not pay for the UI.
 */
import { readFileSync } from 'node:fs';
const USAGE = `usage: tsdbg <command> [options]

commands:
  run [--batch] [-x FILE] [--aslr] [--engine kernel|userspace] PROG [ARGS...]
                          debug PROG (line mode when stdin is not a terminal)
  serve [--listen HOST:PORT | --stdio] [--once] PROG [ARGS...]
                          GDB remote protocol server
  connect HOST:PORT       debug through a GDB remote protocol server
  test [--reporter tap|junit|pretty] [-j N] [--engine E] [--remote HOST:PORT] FILES...
                          scripted regression tests (*.tsdbg; C sources with --source)
  trace [-f] [-c] [-o FILE] [-e trace=SET] [-p PID] PROG [ARGS...]
                          system calls of PROG, as strace prints them
  dap [--listen [HOST:]PORT]
                          Debug Adapter Protocol server (stdio, or TCP)
  vm run [--accel auto|kvm|tcg] -- CMD...
                          run CMD in the patched-kernel guest
  vm shell                interactive shell in the guest
  help, --help            this text (tsdbg run --help: run's options)
  --version               tsdbg's version
`;

/** `tsdbg --version`: the package's version, as `gdb --version` starts with its own. */
function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return `tsdbg ${pkg.version}\nA gdb-compatible debugger for x86-64 Linux, with memory snapshots and checkpoints.\n`;
}

type Sub = (argv: string[]) => Promise<number>;

const SUBCOMMANDS: Record<string, () => Promise<Sub>> = {
  run: async () => (await import('./run.js')).main,
  vm: async () => (await import('./vm.js')).main,
  serve: async () => (await import('./serve.js')).main,
  connect: async () => (await import('./connect.js')).main,
  dap: async () => (await import('./dap.js')).main,
  test: async () => (await import('./test.js')).main,
  trace: async () => (await import('./trace.js')).main,
};

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd === '--version' || cmd === '-v' || cmd === 'version') {
    process.stdout.write(version());
    return 0;
  }
  if (!cmd || cmd === 'help' || cmd === '--help' || cmd === '-h') {
    process.stdout.write(USAGE);
    return cmd ? 0 : 2;
  }
  const load = SUBCOMMANDS[cmd];
  if (!load) {
    process.stderr.write(`tsdbg: unknown command "${cmd}"\n${USAGE}`);
    return 2;
  }
  let sub: Sub;
  try {
    sub = await load();
  } catch (e) {
    process.stderr.write(`tsdbg: "${cmd}" is not available in this build (${(e as Error).message.split('\n')[0]})\n`);
    return 2;
  }
  return sub(rest);
}

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err: unknown) => {
    process.stderr.write(`tsdbg: ${err instanceof Error ? err.message : String(err)}\n`);
    if (process.env.TSDBG_DEBUG) console.error(err);
    process.exitCode = 1;
  },
);
