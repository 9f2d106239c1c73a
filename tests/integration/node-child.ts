/**
 * A tracer in a child Node process, for the tests of what happens to tracees
 * when Node itself goes (exit, SIGTERM, SIGKILL). The script runs against the
 * tsc build (`npm run build` first: src/target/local.ts paths in it are
 * pointed at dist/) and prints its tracee's pid on its first line.
 */
import { spawn, type ChildProcess } from 'node:child_process';

/** Runs `script`, then `act(child, pid)` once the pid is printed; resolves with the pid once the child exited. */
export async function nodeChild(script: string, act: (child: ChildProcess, pid: number) => void | Promise<void>): Promise<number> {
  const built = script.replace(/\/src\/target\/local\.ts/g, '/dist/src/target/local.js');
  const child = spawn(process.execPath, ['--input-type=module', '-e', built], { stdio: ['ignore', 'pipe', 'inherit'] });
  // listened for from the start: act() may end the child before we would look
  const exited = new Promise((r) => child.once('exit', r));
  const pid = await new Promise<number>((resolve, reject) => {
    let buf = '';
    child.stdout!.on('data', (b: Buffer) => {
      buf += b.toString();
      if (buf.includes('\n')) resolve(Number(buf.trim()));
    });
    child.on('exit', (code) => reject(new Error(`child node exited (${code}) before starting the tracee`)));
  });
  await act(child, pid);
  await exited;
  return pid;
}
