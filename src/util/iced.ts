/**
 * iced-x86, loaded on first use: compiling its WebAssembly takes about as long
 * as the rest of tsdbg's start-up together, and most sessions never
 * disassemble. The package is CommonJS and compiles synchronously, so the
 * synchronous callers stay synchronous.
 */
import { createRequire } from 'node:module';
import type * as IcedModule from 'iced-x86';

export type Iced = typeof IcedModule;

let loaded: Iced | undefined;

export function iced(): Iced {
  loaded ??= createRequire(import.meta.url)('iced-x86') as Iced;
  return loaded;
}
