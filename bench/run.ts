/**
 * `npm run bench`: runs every benchmark, each in its own Node process so one
 * cannot warm up or disturb another, in sequence (the machine has 2 cores:
 * parallel runs would measure each other). Each benchmark measures its own
 * baseline (gdb, gdbserver, process_vm_readv, ...) in the same run and prints
 * ratios; this runner only sequences them and reports which failed.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const BENCHES = ['target', 'cli', 'watch', 'checkpoint', 'rsp', 'snapshot-rsp', 'dwarf', 'prompt-fuzz', 'syscall', 'ui', 'guest'];

function main(argv: string[]): number {
  const only = argv.length > 0 ? argv : BENCHES;
  const failed: string[] = [];
  for (const name of only) {
    const file = fileURLToPath(new URL(`./${name}.js`, import.meta.url));
    if (!existsSync(file)) {
      process.stderr.write(`bench: no benchmark named "${name}" (have: ${BENCHES.join(', ')})\n`);
      failed.push(name);
      continue;
    }
    process.stdout.write(`\n=== bench/${name} ===\n`);
    const r = spawnSync(process.execPath, [file], { stdio: 'inherit' });
    if (r.status !== 0) failed.push(name);
  }
  if (failed.length > 0) {
    process.stderr.write(`\nbench: failed: ${failed.join(', ')}\n`);
    return 1;
  }
  return 0;
}

process.exitCode = main(process.argv.slice(2));
