/**
 * C++ names as gdb prints a function's symbol (`ns::S::get(int) const`):
 * the Itanium ABI demangler of libiberty, which gdb links in and binutils'
 * c++filt runs (binutils comes with gcc). Each name is asked once.
 */
import { execFileSync } from 'node:child_process';

const cache = new Map<string, string | undefined>();

/** The demangled form of an `_Z` name; undefined for other names or when c++filt cannot say. */
export function demangle(mangled: string): string | undefined {
  if (!mangled.startsWith('_Z')) return undefined;
  if (cache.has(mangled)) return cache.get(mangled);
  let out: string | undefined;
  try {
    out = execFileSync('c++filt', ['--', mangled], { encoding: 'utf8', timeout: 5000, stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    out = undefined;             // no binutils: the qualified name without parameters
  }
  cache.set(mangled, out && out !== mangled ? out : undefined);
  return cache.get(mangled);
}
