/**
 * tsdbg's own requests, beyond DAP: snapshot, diff, restore, checkpoint and
 * rewind, with structured bodies. A client sends them with the command
 * name and arguments:
 *   snapshot   { region: "heap" | "stack" | ADDRESS-EXPR, length? }
 *   diff       { region }            restore { region }
 *   checkpoint { name? }             rewind  { name? }
 */
import type { DapBackend } from './backend.js';

const CUSTOM = new Set(['snapshot', 'diff', 'restore', 'checkpoint', 'rewind']);

export function isCustomRequest(command: string): boolean {
  return CUSTOM.has(command);
}

function str(a: Record<string, unknown>, key: string, required: boolean): string | undefined {
  const v = a[key];
  if (v === undefined && !required) return undefined;
  if (typeof v !== 'string' || v.trim() === '') throw new Error(`"${key}" must be ${required ? 'given as ' : ''}a non-empty string.`);
  return v.trim();
}

export async function customRequest(backend: DapBackend, command: string, raw: unknown, rewound: () => void): Promise<unknown> {
  if (backend.pid === undefined) throw new Error('The program is not being run.');
  const a = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  switch (command) {
    case 'snapshot': {
      const len = a.length;
      if (len !== undefined && (typeof len !== 'number' || !Number.isInteger(len) || len <= 0)) throw new Error('"length" must be a positive number of bytes.');
      return backend.snapshot(str(a, 'region', true)!, len as number | undefined);
    }
    case 'diff': return backend.diff(str(a, 'region', true)!);
    case 'restore': return backend.restore(str(a, 'region', true)!);
    case 'checkpoint': return backend.checkpoint(str(a, 'name', false));
    case 'rewind': {
      const stop = await backend.rewind(str(a, 'name', false));
      rewound();
      return { threadId: stop.threadId };
    }
    default: throw new Error(`Unknown request "${command}".`);
  }
}
