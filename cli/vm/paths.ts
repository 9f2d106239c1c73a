/**
 * Where the guest's pieces live: the project tree (vm/init, kernel-patch/),
 * the cache (~/.cache/tsdbg/vm) and the kernel image.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** A failure of the VM machinery itself (not of the guest command): one line for the user. */
export class VmError extends Error {
  constructor(
    message: string,
    public readonly detail = '',
    /** tsdbg's exit status: 125 for a failed VM, 124 for a timeout, 128+N for signal N. */
    public readonly exitCode = 125,
  ) {
    super(message);
    this.name = 'VmError';
  }
}

/** The project root: the nearest ancestor of this module holding vm/init. */
export function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'vm', 'init')) && existsSync(join(dir, 'package.json'))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new VmError('cannot find the tsdbg project directory (vm/init)');
    dir = up;
  }
}

/** ~/.cache/tsdbg/vm (TSDBG_CACHE overrides ~/.cache/tsdbg, as in kernel-patch/). */
export function vmCacheDir(): string {
  const dir = join(process.env.TSDBG_CACHE || join(homedir(), '.cache', 'tsdbg'), 'vm');
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** The kernels kernel-patch/build.sh builds (--kernel). */
export const KERNEL_VERSIONS = ['5.10', '6.1'] as const;
export type KernelVersion = (typeof KERNEL_VERSIONS)[number];
export const isKernelVersion = (v: string): v is KernelVersion => (KERNEL_VERSIONS as readonly string[]).includes(v);

/**
 * The guest kernel: $TSDBG_KERNEL when set, else what `kernel-patch/build.sh --kernel V --path`
 * prints (its last stdout line). Never builds: that takes minutes and is `npm run kernel`.
 */
export function kernelImage(root: string, version: KernelVersion = '5.10'): Promise<string> {
  const forced = process.env.TSDBG_KERNEL;
  if (forced) {
    if (!existsSync(forced)) return Promise.reject(new VmError(`TSDBG_KERNEL=${forced} does not exist`));
    return Promise.resolve(forced);
  }
  const script = join(root, 'kernel-patch', 'build.sh');
  if (!existsSync(script)) return Promise.reject(new VmError(`${script} is missing`));
  return new Promise((resolve, reject) => {
    execFile('bash', [script, '--kernel', version, '--path'], { cwd: root, timeout: 30_000 }, (err, stdout) => {
      const path = stdout.trim().split('\n').pop() ?? '';
      if (err || !path || !existsSync(path)) {
        const how = version === '5.10' ? '`npm run kernel`' : `\`bash kernel-patch/build.sh --kernel ${version}\``;
        reject(new VmError(`the ${version} guest kernel is not built: run ${how} first (takes about 5 minutes)`));
      } else {
        resolve(path);
      }
    });
  });
}
