/**
 * launch/attach arguments, checked with the names VS Code's C/C++ adapters
 * (cppdbg, lldb-dap, CodeLLDB) use: `program`, `args`, `cwd`, `env`,
 * `stopOnEntry`; `pid` (a number or a numeric string) to attach. A bad
 * argument is one line naming it.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import type { LaunchConfig } from './backend.js';

export class ArgumentError extends Error {}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** cppdbg's `environment` form: [{ name, value }]. */
function envOf(raw: unknown): Record<string, string> | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (Array.isArray(raw)) {
    const out: Record<string, string> = {};
    for (const e of raw) {
      if (!isRecord(e) || typeof e.name !== 'string' || typeof e.value !== 'string') {
        throw new ArgumentError('"environment" must be a list of { "name": string, "value": string }.');
      }
      out[e.name] = e.value;
    }
    return out;
  }
  if (!isRecord(raw)) throw new ArgumentError('"env" must be an object of strings.');
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (v === null) continue;
    if (typeof v !== 'string') throw new ArgumentError(`"env.${k}" must be a string.`);
    out[k] = v;
  }
  return out;
}

export function launchConfig(raw: unknown): LaunchConfig {
  const a = isRecord(raw) ? raw : {};
  if (a.program === undefined || a.program === '') throw new ArgumentError('"program" is required: the path of the executable to debug.');
  if (typeof a.program !== 'string') throw new ArgumentError('"program" must be a string.');
  if (a.cwd !== undefined && typeof a.cwd !== 'string') throw new ArgumentError('"cwd" must be a string.');
  const cwd = a.cwd === undefined ? undefined : resolve(a.cwd);
  if (cwd !== undefined) {
    let dir = false;
    try { dir = statSync(cwd).isDirectory(); } catch { dir = false; } // missing: said just below
    if (!dir) throw new ArgumentError(`"cwd": ${cwd}: No such directory.`);
  }
  const program = isAbsolute(a.program) ? a.program : resolve(cwd ?? process.cwd(), a.program);
  try {
    if (!statSync(program).isFile()) throw new ArgumentError(`"program": ${program}: not a regular file.`);
    accessSync(program, constants.X_OK);
  } catch (e) {
    if (e instanceof ArgumentError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new ArgumentError(`"program": ${program}: ${code === 'ENOENT' ? 'No such file or directory.' : 'Permission denied.'}`);
  }
  const args = a.args ?? [];
  if (!Array.isArray(args) || args.some((x) => typeof x !== 'string')) throw new ArgumentError('"args" must be a list of strings.');
  if (a.stopOnEntry !== undefined && typeof a.stopOnEntry !== 'boolean') throw new ArgumentError('"stopOnEntry" must be true or false.');
  const env = envOf(a.env ?? a.environment);
  return { program, args: args as string[], cwd, env, stopOnEntry: a.stopOnEntry === true };
}

export function attachPid(raw: unknown): number {
  const a = isRecord(raw) ? raw : {};
  const p = a.pid ?? a.processId;
  if (p === undefined) throw new ArgumentError('"pid" is required: the process to attach to.');
  const pid = typeof p === 'number' ? p : typeof p === 'string' && /^\d+$/.test(p.trim()) ? Number(p.trim()) : NaN;
  if (!Number.isSafeInteger(pid) || pid <= 0) throw new ArgumentError(`"pid" must be a process id, not ${JSON.stringify(p)}.`);
  return pid;
}
