/**
 * tsdbg vm: run a command (or a shell) in the QEMU guest that boots the
 * patched 5.10 (or, with --kernel 6.1, 6.1) kernel with the host's root filesystem mounted read-only.
 * See vm/README.md for how the guest is put together.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { constants as osConstants, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { accelPlan, AccelCache, qemuVersion, type AccelChoice } from './vm/accel.js';
import { Boot, type BootSpec, type Forward } from './vm/boot.js';
import { Spinner } from '../src/console/spinner.js';
import { initramfs } from './vm/initramfs.js';
import { isKernelVersion, KERNEL_VERSIONS, kernelImage, projectRoot, VmError, type KernelVersion } from './vm/paths.js';

const USAGE = `usage: tsdbg vm run [OPTIONS] -- CMD [ARGS...]
       tsdbg vm shell [OPTIONS]

Runs CMD (or an interactive shell) in the current directory inside a QEMU guest
booting the patched kernel, and exits with CMD's exit status.

options:
  --accel auto|kvm|tcg     accelerator (default auto: KVM if it boots, else TCG)
  --kernel 5.10|6.1        which patched kernel to boot (default 5.10)
  --forward HOST:GUEST     forward host TCP port 127.0.0.1:HOST to the guest's GUEST
  --share DIR              use DIR as the guest's writable share (kept afterwards)

environment:
  TSDBG_VM_TIMEOUT         seconds before the guest is killed (default 900; 43200 for a terminal)
  TSDBG_VM_KVM_PROBE       seconds KVM gets to reach the guest's init (default 10)
  TSDBG_VM_KVM_CPU         QEMU -cpu model under KVM (default host)
  TSDBG_VM_TCG_THREAD      multi: a host thread per guest CPU under TCG (default single)
  TSDBG_VM_CPUS            guest CPUs (default 2)
  TSDBG_VM_VERBOSE=1       report the accelerator and boot times on stderr
  TSDBG_KERNEL             boot this bzImage instead of kernel-patch/build.sh --path
  TSDBG_VM_APPEND          more kernel command-line arguments (e.g. acpi=off for a debug kernel)
`;

/** Exit statuses of tsdbg vm itself, distinct from the command's (as docker and timeout(1) do). */
const EXIT_USAGE = 2;
const EXIT_VM_FAILED = 125;

/** A TCG boot that has not reached the init by then is broken (2 s unloaded, 40 s seen under load 9 on 2 cores). */
const TCG_READY_MS = 300_000;

/** The guest command sees exactly these host variables, plus every TSDBG_* one. */
const PASSED_ENV = ['PATH', 'HOME', 'TERM'];

interface VmOptions {
  accel: AccelChoice;
  kernel: KernelVersion;
  forwards: Forward[];
  share?: string;
  command: string[];
  shell: boolean;
}

class UsageError extends Error {}

function parsePort(s: string, what: string): number {
  const n = Number(s);
  if (!/^\d+$/.test(s) || n < 1 || n > 65535) throw new UsageError(`${what} "${s}" is not a TCP port (1-65535)`);
  return n;
}

function parseArgs(argv: string[]): VmOptions {
  const [sub, ...rest] = argv;
  if (sub !== 'run' && sub !== 'shell') throw new UsageError(sub ? `unknown vm command "${sub}"` : 'missing vm command');
  const opts: VmOptions = { accel: 'auto', kernel: '5.10', forwards: [], command: [], shell: sub === 'shell' };
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i];
    const value = () => {
      const v = rest[++i];
      if (v === undefined) throw new UsageError(`${a} needs a value`);
      return v;
    };
    if (a === '--') {
      opts.command = rest.slice(i + 1);
      break;
    } else if (a === '--accel') {
      const v = value();
      if (v !== 'auto' && v !== 'kvm' && v !== 'tcg') throw new UsageError(`--accel must be auto, kvm or tcg, not "${v}"`);
      opts.accel = v;
    } else if (a === '--kernel') {
      const v = value();
      if (!isKernelVersion(v)) throw new UsageError(`--kernel must be ${KERNEL_VERSIONS.join(' or ')}, not "${v}"`);
      opts.kernel = v;
    } else if (a === '--forward') {
      const v = value();
      const m = /^([^:]+):([^:]+)$/.exec(v);
      if (!m) throw new UsageError(`--forward wants HOSTPORT:GUESTPORT, not "${v}"`);
      opts.forwards.push({ host: parsePort(m[1], 'host port'), guest: parsePort(m[2], 'guest port') });
    } else if (a === '--share') {
      opts.share = resolve(value());
    } else if (!opts.shell && !a.startsWith('-')) {
      opts.command = rest.slice(i); // `vm run CMD...` without "--"
      break;
    } else {
      throw new UsageError(`unknown option "${a}"`);
    }
  }
  if (opts.shell && opts.command.length > 0) throw new UsageError('vm shell takes no command');
  if (!opts.shell && opts.command.length === 0) throw new UsageError('vm run needs a command after --');
  return opts;
}

/** POSIX shell single-quoting. */
const sq = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** cmd.sh, run by the host's /bin/sh inside the chroot with an empty environment. */
function commandScript(cwd: string, command: string[], share: string): string {
  const env = Object.entries(process.env)
    .filter(([k, v]) => v !== undefined && (PASSED_ENV.includes(k) || /^TSDBG_[A-Za-z0-9_]*$/.test(k)));
  return [
    `cd ${sq(cwd)} || { echo "tsdbg vm: ${cwd.replace(/[\\"$`]/g, '\\$&')} is not visible in the guest" >&2; exit 126; }`,
    ...env.map(([k, v]) => `export ${k}=${sq(v!)}`),
    `export TSDBG_IN_GUEST=1 TSDBG_VM_SHARE=${sq(share)}`,
    `exec ${command.map(sq).join(' ')}`,
    '',
  ].join('\n');
}

function timeoutSeconds(interactive: boolean): number {
  const raw = process.env.TSDBG_VM_TIMEOUT;
  if (raw === undefined || raw === '') return interactive ? 43200 : 900;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) throw new UsageError(`TSDBG_VM_TIMEOUT="${raw}" is not a number of seconds`);
  return n;
}

function kvmProbeSeconds(): number {
  const n = Number(process.env.TSDBG_VM_KVM_PROBE ?? '10');
  return Number.isFinite(n) && n > 0 ? n : 10;
}

const verbose = (msg: string) => {
  if (process.env.TSDBG_VM_VERBOSE) process.stderr.write(`tsdbg vm: ${msg}\n`);
};

async function runVm(opts: VmOptions): Promise<number> {
  const interactive = opts.shell || (Boolean(process.stdin.isTTY) && Boolean(process.stdout.isTTY));
  if (opts.shell && !interactive) throw new VmError('vm shell needs a terminal on stdin and stdout');
  const timeout = timeoutSeconds(interactive);
  const root = projectRoot();
  const kernel = await kernelImage(root, opts.kernel);
  const initrd = initramfs(root);
  const cache = new AccelCache(qemuVersion());
  const plan = accelPlan(opts.accel, cache);

  const share = opts.share ?? mkdtempSync(join(tmpdir(), 'tsdbg-vm-'));
  mkdirSync(share, { recursive: true });
  const cwd = process.cwd();
  const shellCmd = ['/bin/sh', '-c', 'exec "$(command -v bash || echo /bin/sh)" -i'];
  writeFileSync(join(share, 'config'), [
    `MODE=${interactive ? 'tty' : 'pipe'}`, `SHARE=${sq(share)}`, `PROJECT=${sq(root)}`,
    `NET=${opts.forwards.length > 0 ? 1 : 0}`, `TIMEOUT=${Math.ceil(timeout)}`, '',
  ].join('\n'));
  writeFileSync(join(share, 'cmd.sh'), commandScript(cwd, opts.shell ? shellCmd : opts.command, share));

  let current: Boot | undefined;
  let interrupted: VmError | undefined;
  const onSignal = (sig: NodeJS.Signals) => {
    interrupted ??= new VmError(`interrupted by ${sig}; the guest was killed`, '', 128 + osConstants.signals[sig]);
    current?.abort(interrupted);
  };
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const s of signals) process.on(s, onSignal);
  // A reader that went away (`| head`) ends the run as SIGPIPE would, silently.
  const onOutputError = () => {
    interrupted ??= new VmError('', '', 128 + osConstants.signals.SIGPIPE);
    current?.abort(interrupted);
  };
  process.stdout.on('error', onOutputError);
  process.stderr.on('error', onOutputError);
  const stdin = process.stdin;
  // Raw from the start so that keys typed during the boot are not echoed twice;
  // Boot reads them only once the guest is ready.
  if (interactive) stdin.setRawMode(true);
  try {
    for (const [i, accel] of plan.entries()) {
      const spec: BootSpec = {
        kernel, initrd, accel, share, project: root, mode: interactive ? 'tty' : 'pipe',
        rows: process.stdout.rows, cols: process.stdout.columns,
        forwards: opts.forwards,
        readyTimeoutMs: accel === 'kvm' ? kvmProbeSeconds() * 1000 : TCG_READY_MS,
        timeoutMs: timeout * 1000,
        stdout: process.stdout, stderr: process.stderr,
        stdin: interactive ? stdin : undefined,
      };
      const t0 = Date.now();
      if (interrupted) throw interrupted;
      // at a terminal only: a pipe's output stays the command's
      const spinner = new Spinner(`Booting the guest (${accel.toUpperCase()})...`, interactive ? process.stderr : {});
      current = new Boot({ ...spec, onReady: () => spinner.stop() });
      const outcome = await current.run().finally(() => spinner.stop());
      if (outcome.kind === 'exited') {
        if (opts.accel === 'auto') cache.set(accel);
        verbose(`${accel}: guest ready after ${outcome.readyMs} ms, command done after ${Date.now() - t0} ms`);
        return outcome.status;
      }
      if (i + 1 < plan.length) {
        process.stderr.write(`tsdbg vm: ${accel.toUpperCase()} ${outcome.reason} (nested KVM hangs on some hosts); ` +
          `using ${plan[i + 1].toUpperCase()} from now on (remembered in ${cache.file})\n`);
        continue;
      }
      throw new VmError(`${accel.toUpperCase()} boot failed: ${outcome.reason}`, current.diagnostics());
    }
    throw new VmError('no accelerator to boot with');
  } finally {
    for (const s of signals) process.off(s, onSignal);
    process.stdout.off('error', onOutputError);
    process.stderr.off('error', onOutputError);
    if (interactive) {
      stdin.setRawMode(false);
      stdin.pause();
    }
    if (!opts.share) rmSync(share, { recursive: true, force: true });
  }
}

export async function main(argv: string[]): Promise<number> {
  if (argv.length === 0 || ['help', '--help', '-h'].includes(argv[0])) {
    process.stdout.write(USAGE);
    return argv.length === 0 ? EXIT_USAGE : 0;
  }
  let opts: VmOptions;
  try {
    opts = parseArgs(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`tsdbg vm: ${e.message}\n${USAGE}`);
    return EXIT_USAGE;
  }
  try {
    return await runVm(opts);
  } catch (e) {
    if (!(e instanceof VmError || e instanceof UsageError)) throw e;
    if (e.message) process.stderr.write(`tsdbg vm: ${e.message}\n`);
    if (e instanceof VmError && e.detail) process.stderr.write(`${e.detail}\n`);
    return e instanceof VmError ? e.exitCode : EXIT_USAGE;
  }
}
