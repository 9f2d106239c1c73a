/**
 * Serving DAP: one session over stdin/stdout (what VS Code, nvim-dap, Helix
 * and Zed start), or one session per TCP connection with --listen (what
 * `dlv dap --listen` offers). Closing the stream ends the session as a
 * disconnect would: what was launched is killed, what was attached detached.
 * The client closes it after a disconnect, as VS Code does.
 */
import { createServer, type AddressInfo, type Server } from 'node:net';
import type { DapBackend } from './backend.js';
import { TsdbgDapSession } from './session.js';

export type BackendFactory = () => DapBackend;

/** One session over stdio; resolves when the client disconnects or the stream closes. */
export function serveStdio(makeBackend: BackendFactory): Promise<void> {
  return new Promise((done) => {
    let ended = false;
    const end = () => {
      if (ended) return;
      ended = true;
      void session.close().finally(() => done());
    };
    // after disconnect the adapter stays until the client closes the stream (a second disconnect is answered too)
    const session = new TsdbgDapSession(makeBackend());
    session.start(process.stdin, process.stdout);
    process.stdin.on('end', end);
    process.stdin.on('close', end);
  });
}

export interface TcpServer {
  server: Server;
  /** Stop listening and end every session (kill what each launched, detach what it attached). */
  close(): Promise<void>;
}

/** Sessions over TCP on host:port (port 0: any free one). */
export function serveTcp(makeBackend: BackendFactory, port: number, host = '127.0.0.1'): Promise<TcpServer> {
  const live = new Set<TsdbgDapSession>();
  const closing: Promise<void>[] = [];
  const server = createServer((socket) => {
    let ended = false;
    const session = new TsdbgDapSession(makeBackend());
    live.add(session);
    const end = () => {
      if (ended) return;
      ended = true;
      live.delete(session);
      closing.push(session.close());
    };
    session.setRunAsServer(true);
    session.start(socket, socket);
    socket.on('close', end);
    socket.on('error', end);
  });
  const close = async () => {
    server.close();
    for (const s of live) closing.push(s.close());
    live.clear();
    await Promise.allSettled(closing);
  };
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve({ server, close }));
  });
}

export function addressText(server: Server): string {
  const a = server.address() as AddressInfo;
  return `${a.address}:${a.port}`;
}
