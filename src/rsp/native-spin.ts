/**
 * The native shim's poll loop as RspWire's input spin (see wire.ts): a
 * separate module so the RSP client and wire never import the shim. The
 * server (which hosts ptrace targets, so has the shim) and the command-line
 * front ends install it; where the shim cannot load, nothing is installed
 * and packets are simply taken from the event loop.
 */
import { native, nativeAvailable } from '../target/native.js';
import { setInputSpin, setInputWait } from './wire.js';

/** Install the shim's spin when the shim loads; true when it did. */
export function useNativeInputSpin(): boolean {
  if (!nativeAvailable()) return false;
  // spinning only pays while a CPU is free (else it takes the CPU the peer needs to answer)
  setInputSpin((fd, spinNs) => { if (native.cpusFree() > 0) native.pollSpin(fd, spinNs); });
  setInputWait((fd, buf, spinNs, blockNs) => native.readWait(fd, buf, spinNs, blockNs));
  return true;
}
