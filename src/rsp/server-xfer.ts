/**
 * qXfer:OBJECT:read for the stub: the objects it offers (target
 * description, auxv, exec-file, libraries, siginfo, threads) and the
 * slicing of one into `l`/`m` replies.
 */
import type { Target, ThreadInfo } from '../target/types.js';
import { syncReads } from './sync-reads.js';
import { PacketError } from './packet-error.js';
import { escapeBinary, leHex, parseHexInt } from './packet.js';
import { librariesSvr4, xmlEscape } from './svr4.js';
import { amd64TargetXml } from './tdesc.js';

type MaybeAsync<T> = T | Promise<T>;

/** What qXfer reads from the session. */
export interface XferContext {
  /** The process, if any (exited or not). */
  current(): Target | undefined;
  /** The live process (throws the packet's error when there is none). */
  live(): Target;
  /** The stopped process (throws the packet's error when there is none, or it runs). */
  stopped(): Target;
  threadId(pid: number, tid: number): string;
}

/** qXfer:OBJECT:read:ANNEX:OFFSET,LENGTH ('' for objects we do not offer). */
export function xferPacket(c: XferContext, s: string): MaybeAsync<string | Buffer> {
  const m = /^qXfer:([\w-]+):read:([^:]*):([0-9a-fA-F]+),([0-9a-fA-F]+)$/.exec(s);
  if (!m) return '';
  const [, object, annex, o, l] = m;
  const offset = parseHexInt(o!);
  const length = parseHexInt(l!);
  const data = xferObject(c, object!, annex!);
  if (data === undefined) return '';
  return data instanceof Promise ? data.then((d) => xferPart(d, offset, length)) : xferPart(data, offset, length);
}

/** The whole object qXfer reads from; undefined for objects we do not offer. */
function xferObject(c: XferContext, object: string, annex: string): MaybeAsync<Buffer> | undefined {
  switch (object) {
    case 'features':
      if (annex !== 'target.xml') throw new PacketError(22, `no target description "${annex}"`);
      return Buffer.from(amd64TargetXml());
    case 'auxv':
      return c.stopped().auxv().then((auxv) => Buffer.concat(auxv.map(([k, v]) => Buffer.from(leHex(k, 8) + leHex(v, 8), 'hex'))));
    case 'exec-file': {
      const t = c.current();
      if (annex && t && parseHexInt(annex) !== t.pid) throw new PacketError(3, `no process ${annex}`);
      return Buffer.from(c.live().exePath);
    }
    case 'libraries-svr4':
      return librariesSvr4(c.stopped()).then((xml) => Buffer.from(xml));
    case 'siginfo': {
      // the general thread's (Hg), as gdbserver: gdb's $_siginfo
      const t = c.stopped();
      const siginfo = t.capabilities.siginfo;
      if (!siginfo) throw new PacketError(1, 'this target has no siginfo');
      return siginfo.get();
    }
    case 'threads': {
      // one document instead of the qfThreadInfo/qsThreadInfo pair gdb
      // otherwise sends after every stop
      const t = c.current();
      return t && t.state !== 'exited' ? threadsXml(c, t) : Buffer.from('<?xml version="1.0"?>\n<threads></threads>\n');
    }
    default:
      return undefined;
  }
}

function threadsXml(c: XferContext, t: Target): MaybeAsync<Buffer> {
  const now = syncReads(t);
  return now ? threadsDocument(c, t, now.threadsNow()) : t.threads().then((list) => threadsDocument(c, t, list));
}

function threadsDocument(c: XferContext, t: Target, threads: ThreadInfo[]): Buffer {
  const items = threads.map((x) => {
    // handle: the pthread_t as bytes in target order, as gdbserver sends it
    const handle = x.threadPointer ? ` handle="${leHex(x.threadPointer, 8)}"` : '';
    return `<thread id="${c.threadId(t.pid, x.tid)}" name="${xmlEscape(x.name)}"${handle}/>`;
  });
  return Buffer.from(`<?xml version="1.0"?>\n<threads>${items.join('')}</threads>\n`);
}

/** One qXfer reply: `l` (last) or `m` (more) and the escaped slice. */
function xferPart(data: Buffer, offset: number, length: number): Buffer {
  const part = data.subarray(offset, offset + length);
  const last = offset + length >= data.length;
  return Buffer.concat([Buffer.from(last ? 'l' : 'm'), escapeBinary(part)]);
}
