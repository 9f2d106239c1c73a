/**
 * bench/guest.ts - the kernel engine, measured where it exists: in the patched
 * guest (`tsdbg vm run`). Runs bench/target (the snapshot rows then use the
 * kernel engine against process_vm_readv) and bench/kernel/snapshot_calls,
 * the bare requests against process_vm_readv/writev, at 4 KiB to 16 MiB.
 * Without a built guest kernel this benchmark fails: `npm run kernel` first.
 */
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const SIZES: Array<[number, number]> = [[4096, 2000], [65536, 500], [1 << 20, 50], [16 << 20, 5]];

function main(): number {
  const kernel = spawnSync('bash', [join(ROOT, 'kernel-patch', 'build.sh'), '--path'], { encoding: 'utf8' });
  if (kernel.status !== 0) {
    process.stderr.write('bench/guest: the guest kernel is not built: run `npm run kernel` first\n');
    return 1;
  }
  const make = spawnSync('make', ['-s', '-C', join(ROOT, 'bench', 'kernel')], { stdio: 'inherit' });
  if (make.status !== 0) return 1;
  const calls = SIZES.map(([len, n]) => `bench/kernel/bin/snapshot_calls ${len} ${n}`).join(' && ');
  const script = `node dist/bench/target.js && echo "PTRACE_SNAPSHOT requests (bench/kernel/snapshot_calls.c), three rounds each:" && ${calls}`;
  const vm = spawnSync(process.execPath, [join(ROOT, 'bin', 'tsdbg.js'), 'vm', 'run', '--', 'sh', '-c', script],
    { cwd: ROOT, stdio: 'inherit' });
  return vm.status ?? 1;
}

process.exitCode = main();
