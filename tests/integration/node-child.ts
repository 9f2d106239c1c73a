/**
 * A tracer in a child Node process, for the tests of what happens to tracees
 * when Node itself goes (exit, SIGTERM, SIGKILL). The script runs against the
 * tsc build (`npm run build` first: src/target/local.ts paths in it are
 * pointed at dist/) and prints its tracee's pid on its first line.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { WAIT_MS } from '../setup/wait.js';

/**
 * Runs `script`, then `act(child, pid)` once the pid is printed; resolves with the pid once the child exited.
 * Should anything fail (no pid in time, act() throws), the child Node is SIGKILLed before the error is passed on:
 * its tracee goes with it (PTRACE_O_EXITKILL), and the leak check sees to an attached one.
 */
export async function nodeChild(script: string, act: (child: ChildProcess, pid: number) => void | Promise<void>): Promise<number> {
  const built = script.replace(/\/src\/target\/local\.ts/g, '/dist/src/target/local.js');
  const child = spawn(process.execPath, ['--input-type=module', '-e', built], { stdio: ['ignore', 'pipe', 'inherit'] });
  // listened for from the start: act() may end the child before we would look
  const exited = new Promise((r) => child.once('exit', r));
  try {
    const pid = await new Promise<number>((resolve, reject) => {
      let buf = '';
      const timer = setTimeout(() => reject(new Error(`child node printed no pid within ${WAIT_MS / 1000} s`)), WAIT_MS);
      child.stdout!.on('data', (b: Buffer) => {
        buf += b.toString();
        if (buf.includes('\n')) { clearTimeout(timer); resolve(Number(buf.trim())); }
      });
      child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`child node exited (${code}) before starting the tracee`)); });
    });
    await act(child, pid);
    await exited;
    return pid;
  } catch (e) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
    throw e;
  }
}
