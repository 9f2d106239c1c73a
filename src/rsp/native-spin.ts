/**
 * The native shim's poll loop as RspWire's input spin (see wire.ts): a
 * separate module so the RSP client and wire never import the shim. The
 * server (which hosts ptrace targets, so has the shim) and the command-line
 * front ends install it; where the shim cannot load, nothing is installed
 * and packets are simply taken from the event loop.
 */
import { native, nativeAvailable } from '../target/native.js';
import { setInputSpin, setInputWait, setOutputWrite } from './wire.js';

/**
 * Longest wait for room in the socket when a packet does not fit at once
 * (gdbserver blocks in write as long as it takes): long enough for a peer
 * that reads it on a busy machine, so the rest never goes through the event
 * loop; after it, the stream takes the rest and the session goes on.
 */
export const WRITE_BLOCK_NS = 200_000_000;

/** Install the shim's spin when the shim loads; true when it did. */
export function useNativeInputSpin(): boolean {
  if (!nativeAvailable()) return false;
  // spinning only pays while a CPU is free (else it takes the CPU the peer needs to answer)
  setInputSpin((fd, spinNs) => { if (native.cpusFree() > 0) native.pollSpin(fd, spinNs); });
  setInputWait((fd, buf, spinNs, blockNs) => native.readWait(fd, buf, spinNs, blockNs));
  setOutputWrite((fd, buf, len) => native.writeWait(fd, buf, len, WRITE_BLOCK_NS), (data, out) => native.frameHex(data, out));
  return true;
}
