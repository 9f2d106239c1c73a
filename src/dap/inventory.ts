/**
 * modules, loadedSources and the `module` events: the program and its
 * shared libraries as DAP Modules (VS Code's Modules view), and the
 * program's source files as Sources. A library the program loads (or
 * unloads) is announced by a `module` event when the dynamic linker reports
 * it (gdb's solib event breakpoint), while the program runs, as lldb-dap
 * does; what changed is also checked before each stop is reported.
 */
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { DapBackend, ModuleEntry } from './backend.js';
import { hexWord as hex } from '../util/hex.js';

export function moduleOf(m: ModuleEntry): DebugProtocol.Module {
  return {
    id: m.path,
    name: m.path.split('/').pop() || m.path,
    path: m.path,
    symbolStatus: m.debugInfo ? 'Symbols loaded.' : m.symbols ? 'Symbols loaded (no debugging information).' : 'No symbols.',
    addressRange: `${hex(m.start)}-${hex(m.end)}`,
  };
}

export async function modulesRequest(backend: DapBackend, a: DebugProtocol.ModulesArguments): Promise<DebugProtocol.ModulesResponse['body']> {
  const all = (await backend.modules()).map(moduleOf);
  const start = Math.max(0, a.startModule ?? 0);
  const count = a.moduleCount && a.moduleCount > 0 ? a.moduleCount : all.length;
  return { modules: all.slice(start, start + count), totalModules: all.length };
}

export async function loadedSourcesRequest(backend: DapBackend): Promise<DebugProtocol.LoadedSourcesResponse['body']> {
  const paths = await backend.sources();
  return { sources: paths.map((path) => ({ name: path.split('/').pop(), path })) };
}

/** What changed in the module list since the last look: DAP `module` event bodies. */
export class ModuleWatch {
  private known = new Map<string, DebugProtocol.Module>();

  constructor(private readonly backend: DapBackend) {}

  async changes(): Promise<DebugProtocol.ModuleEvent['body'][]> {
    const now = new Map((await this.backend.modules()).map((m) => [m.path, moduleOf(m)]));
    const out: DebugProtocol.ModuleEvent['body'][] = [];
    for (const [id, m] of now) {
      const old = this.known.get(id);
      if (!old) out.push({ reason: 'new', module: m });
      else if (old.addressRange !== m.addressRange || old.symbolStatus !== m.symbolStatus) out.push({ reason: 'changed', module: m });
    }
    for (const [id, m] of this.known) if (!now.has(id)) out.push({ reason: 'removed', module: m });
    this.known = now;
    return out;
  }
}
