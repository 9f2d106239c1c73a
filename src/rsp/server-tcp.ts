/**
 * `tsdbg serve --listen`: RSP sessions over TCP, one client at a time.
 */
import net from 'node:net';
import { frame } from './packet.js';
import { serveStreams, type RspSession, type SessionOptions } from './server.js';

export interface TcpServer {
  port: number;
  /** Resolves when the server stops (after --once's session, or close()). */
  closed: Promise<void>;
  close(): Promise<void>;
}

/**
 * Listen on HOST:PORT. One client at a time: a second one gets an error
 * packet and is closed, the first session is undisturbed. The listener
 * closes after the first session unless `multi` (gdbserver --multi).
 */
export async function listenTcp(host: string, port: number, opts: SessionOptions & { once?: boolean; multi?: boolean }): Promise<TcpServer> {
  let active: RspSession | undefined;
  let resolveClosed!: () => void;
  const closed = new Promise<void>((r) => { resolveClosed = r; });
  const server = net.createServer((sock) => {
    sock.setNoDelay(true);
    if (active) {
      opts.log?.(`refused a second client from ${sock.remoteAddress}:${sock.remotePort}`);
      sock.end(frame('E.another debugger is already connected'));
      sock.on('error', () => undefined);
      return;
    }
    opts.log?.(`remote debugging from host ${sock.remoteAddress}, port ${sock.remotePort}`);
    const session = serveStreams(sock, sock, opts);
    active = session;
    sock.on('error', () => undefined);
    void session.done().then(() => {
      active = undefined;
      sock.destroy();
      if (closing) return;
      // the session killed or detached its process on the way out; only a
      // multi-process server (extended-remote, `run` from gdb) has more to do
      if (opts.once || !opts.multi) void close();
      else opts.target = undefined;
    });
  });
  let closing: Promise<void> | undefined;
  const close = () => closing ??= (async () => {
    const stopped = new Promise<void>((r) => server.close(() => r()));
    if (active) await active.end();
    await stopped;
    resolveClosed();
  })();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const addr = server.address() as net.AddressInfo;
  return { port: addr.port, closed, close };
}

