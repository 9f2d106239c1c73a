/**
 * Choosing between KVM and TCG. Nested KVM on some hosts does not fail: the
 * guest hangs before its first instruction while QEMU burns CPU. So `auto`
 * boots with KVM under a short ready timeout, falls back to TCG, and records
 * the verdict in ~/.cache/tsdbg/vm/accel keyed by host kernel + QEMU version
 * so that later boots do not pay the timeout again.
 */
import { execFileSync } from 'node:child_process';
import { accessSync, constants, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { release } from 'node:os';
import { join } from 'node:path';
import { VmError, vmCacheDir } from './paths.js';

export type Accel = 'kvm' | 'tcg';
export type AccelChoice = Accel | 'auto';

export const QEMU = 'qemu-system-x86_64';

export function qemuVersion(): string {
  try {
    return execFileSync(QEMU, ['--version'], { encoding: 'utf8', timeout: 10_000 }).split('\n')[0].trim();
  } catch {
    throw new VmError(`${QEMU} not found or not runnable: install qemu-system-x86 (bash scripts/setup-system.sh)`);
  }
}

function kvmDeviceUsable(): boolean {
  try {
    accessSync('/dev/kvm', constants.R_OK | constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/** Remembered verdicts, one per "host kernel | QEMU version". */
export class AccelCache {
  readonly file = join(vmCacheDir(), 'accel');
  readonly key: string;

  constructor(qemu: string) {
    this.key = `${release()} | ${qemu}`;
  }

  private load(): Record<string, Accel> {
    try {
      const data: unknown = JSON.parse(readFileSync(this.file, 'utf8'));
      return data && typeof data === 'object' ? (data as Record<string, Accel>) : {};
    } catch {
      return {};
    }
  }

  get(): Accel | undefined {
    const v = this.load()[this.key];
    return v === 'kvm' || v === 'tcg' ? v : undefined;
  }

  set(verdict: Accel): void {
    const all = this.load();
    if (all[this.key] === verdict) return;
    all[this.key] = verdict;
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(all, null, 1) + '\n');
    renameSync(tmp, this.file);
  }
}

/** The accelerators to try, in order; every one but the last may fall through to the next. */
export function accelPlan(choice: AccelChoice, cache: AccelCache): Accel[] {
  if (choice === 'tcg') return ['tcg'];
  if (choice === 'kvm') {
    if (!kvmDeviceUsable()) throw new VmError('--accel kvm: /dev/kvm is missing or not accessible');
    return ['kvm'];
  }
  if (!kvmDeviceUsable() || cache.get() === 'tcg') return ['tcg'];
  return ['kvm', 'tcg'];
}
