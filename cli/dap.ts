/**
 * `tsdbg dap [--listen [HOST:]PORT]`: a Debug Adapter Protocol server. On
 * stdio by default (the protocol owns stdout: nothing else is printed there);
 * with --listen, one session per connection, and the address it listens on
 * is printed first (`DAP server listening at: 127.0.0.1:PORT`, Delve's line).
 */
import { UsageError, optionValue } from './options.js';
import { serveStdio, serveTcp, addressText } from '../src/dap/server.js';
import { coreBackend } from '../src/dap/core-backend.js';

export const DAP_USAGE = 'usage: tsdbg dap [--listen [HOST:]PORT]';

export function parseListen(v: string): { host: string; port: number } {
  const m = /^(?:(.*):)?(\d+)$/.exec(v);
  const port = m ? Number(m[2]) : NaN;
  if (!m || port > 65535) throw new UsageError(`--listen wants [HOST:]PORT, not "${v}"`);
  return { host: m[1] || '127.0.0.1', port };
}

export async function main(argv: string[]): Promise<number> {
  let listen: { host: string; port: number } | undefined;
  try {
    for (let i = 0; i < argv.length; i++) {
      const a = argv[i]!;
      if (a === '--listen') listen = parseListen(optionValue(argv, ++i, a));
      else if (a.startsWith('--listen=')) listen = parseListen(a.slice('--listen='.length));
      else if (a === '-h' || a === '--help') { process.stdout.write(`${DAP_USAGE}\n`); return 0; }
      else throw new UsageError(`unknown argument "${a}"`);
    }
  } catch (e) {
    process.stderr.write(`tsdbg dap: ${(e as Error).message}\n${DAP_USAGE}\n`);
    return 2;
  }
  if (!listen) {
    await serveStdio(coreBackend);
    // the session is over (its program killed or detached): stdin may still hold the loop open
    await new Promise<void>((r) => process.stdout.write('', () => r()));
    process.exit(0);
  }
  let server;
  try {
    server = await serveTcp(coreBackend, listen.port, listen.host);
  } catch (e) {
    process.stderr.write(`tsdbg dap: cannot listen on ${listen.host}:${listen.port}: ${(e as Error).message}\n`);
    return 1;
  }
  process.stdout.write(`DAP server listening at: ${addressText(server.server)}\n`);
  // SIGTERM, SIGINT, SIGHUP: every session ends as a disconnect would, then the server
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    // `on`, not `once`: the listener stays, so the reaper (src/target/reaper.ts) leaves the signal to us
    for (const s of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(s, () => resolve(s));
  });
  await server.close();
  process.stderr.write(`tsdbg dap: ${signal}: stopped serving\n`);
  process.exit(0);
}
