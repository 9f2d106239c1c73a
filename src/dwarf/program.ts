/**
 * A debugged process seen through its symbols: the ELF images (ProcessImage),
 * the DWARF of those that have it (DebugInfo, loaded once per image), their
 * call frame information, and stack frames built from a register set plus a
 * memory reader — so it works the same over a local or a remote Target.
 */
import { tailCallChain } from './tailcall.js';
import { gdbFunctionName } from './names.js';
import { ProcessImage, LoadedModule, separateDebugFile, type ImageSource } from '../elf/process.js';
import { ElfFile } from '../elf/elf.js';
import type { Registers } from '../target/types.js';
import { AT, TAG, X86_64_DWARF_REGS } from './constants.js';
import { DebugInfo, type FunctionInfo, type SourceLine } from './debuginfo.js';
import { StackFrame } from './stack-frame.js';
import { CallFrameInfo, unwindStep, type CfiSource, type UnwindRegs } from './frame.js';
import type { Die } from './info.js';
import type { PrintSettings } from './format.js';
import { pushAll } from '../arrays.js';
import { DwarfError } from './reader.js';

export type ReadMemory = (addr: bigint, len: number) => Promise<Buffer>;

export { StackFrame } from './stack-frame.js';
export { gdbPrintName, gdbFunctionName } from './names.js';

interface ModuleSymbols {
  debug?: DebugInfo;
  cfi?: CallFrameInfo;
  error?: string;
  /** A separate debug file was looked for (done only when a pc in the image needs it). */
  separateTried?: boolean;
}

/** gdb's line for DWARF it cannot read: `Dwarf Error: MESSAGE [in module PATH]`. */
export function dwarfErrorLine(message: string, path: string): string {
  return `Dwarf Error: ${message} [in module ${path}]`;
}

export class ProgramInfo {
  private perModule = new Map<LoadedModule, ModuleSymbols>();
  /** gdb's `set print` settings for values of this program (`pretty`), shared by all evaluators. */
  readonly printSettings: PrintSettings = { pretty: false, elements: 200, repeats: 10 };

  constructor(readonly image: ProcessImage) {}

  /**
   * Where a DWARF read error of an image goes (gdb's `Dwarf Error: ... [in
   * module PATH]` line): the image then has no source-level information, and
   * the user is told why instead of seeing "no debug info".
   */
  onDwarfError?: (message: string) => void;

  /**
   * An error met reading the DWARF or CFI of the image at pc: a DwarfError
   * is said (once per line: see onDwarfError) and true returned; anything
   * else (unreadable memory, no registers) is the caller's to handle.
   */
  reportDwarfError(e: unknown, pc: bigint): boolean {
    if (!(e instanceof DwarfError)) return false;
    this.dwarfError(e, this.image.moduleAt(pc)?.path ?? '<unknown>');
    return true;
  }

  private dwarfError(e: unknown, path: string): string {
    const message = (e as Error).message;
    this.onDwarfError?.(dwarfErrorLine(message, path));
    return message;
  }

  static async create(source: ImageSource, exeElf?: ElfFile): Promise<ProgramInfo> {
    return new ProgramInfo(await ProcessImage.create(source, exeElf));
  }

  /**
   * Without a process (before `run`, after it exited): the executable file
   * alone, at its link addresses, as gdb evaluates `print global` then.
   */
  static forFile(elf: ElfFile, debug?: DebugInfo): ProgramInfo {
    let p = FILE_PROGRAMS.get(elf);
    if (!p) {
      p = new ProgramInfo(fileOnlyImage(elf));
      // the file's DWARF, already loaded unrelocated for `break` and `list`
      if (debug && debug.bias === 0n) p.perModule.set(p.image.exe, { debug });
      FILE_PROGRAMS.set(elf, p);
    }
    return p;
  }

  /** No program at all (no file, no process): expressions still have registers, history and convenience variables. */
  static empty(): ProgramInfo {
    return (EMPTY ??= new ProgramInfo(emptyImage()));
  }

  private symbolsOf(m: LoadedModule): ModuleSymbols {
    let s = this.perModule.get(m);
    if (!s) {
      s = {};
      const elf = m.elf;
      if (elf) {
        // Bad or unsupported DWARF in one image must not take the others down: that image
        // just has no source-level information (and says why in `error`).
        try {
          if (elf.section('.debug_info')) {
            s.debug = DebugInfo.load(elf);
            s.debug.bias = m.bias;
          }
        } catch (e) {
          s.error = this.dwarfError(e, elf.path);
        }
        try {
          const eh = elf.section('.eh_frame');
          const ehData = elf.sectionData('.eh_frame');
          s.cfi = new CallFrameInfo(eh && ehData ? { data: ehData, addr: eh.addr } : undefined, elf.sectionData('.debug_frame'));
        } catch (e) {
          s.error = this.dwarfError(e, elf.path);
        }
      }
      this.perModule.set(m, s);
    }
    return s;
  }

  /**
   * DWARF of an image at a pc, including a separate debug file (libc6-dbg):
   * those are big, so they load only when a pc in the image needs them.
   */
  private debugOfModule(m: LoadedModule): DebugInfo | undefined {
    const s = this.symbolsOf(m);
    if (!s.debug && !s.separateTried && m.elf) {
      s.separateTried = true;
      const path = separateDebugFile(m.elf);
      if (path) {
        try {
          s.debug = DebugInfo.load(ElfFile.load(path));
          s.debug.bias = m.bias;
        } catch (e) {
          s.error = this.dwarfError(e, path);
        }
      }
    }
    return s.debug;
  }

  /** DWARF of an image, its separate debug file's when it has none of its own (loaded on first use). */
  moduleDebug(m: LoadedModule): DebugInfo | undefined {
    return this.debugOfModule(m);
  }

  /** DWARF of the executable (undefined when it has none). */
  get exeDebug(): DebugInfo | undefined {
    return this.symbolsOf(this.image.exe).debug;
  }

  /** Every loaded image with DWARF, the executable first. */
  debugInfos(): DebugInfo[] {
    const out: DebugInfo[] = [];
    for (const m of this.image.modules) {
      const d = this.symbolsOf(m).debug;
      if (d) out.push(d);
    }
    return out;
  }

  /**
   * The definition of a global in the image whose ELF symbol it is, from that
   * image's DWARF or its separate debug file (libc's `stdout` from libc6-dbg),
   * as gdb types a minimal symbol through the objfile's debug info.
   */
  globalIn(m: LoadedModule, name: string): { die: Die; debug: DebugInfo } | undefined {
    const debug = this.debugOfModule(m);
    const defs = debug?.globalVariables(name) ?? [];
    const die = defs.find((d) => d.inherited((x) => (x.has(AT.external) ? true : undefined))) ?? defs[0]
      ?? debug?.globalDeclarations(name)[0];
    return debug && die ? { die, debug } : undefined;
  }

  debugAt(pc: bigint): DebugInfo | undefined {
    const m = this.image.moduleAt(pc);
    return m ? this.debugOfModule(m) : undefined;
  }

  cfiAt = (pc: bigint): CfiSource | undefined => {
    const m = this.image.moduleAt(pc);
    const cfi = m && this.symbolsOf(m).cfi;
    return m && cfi ? { cfi, bias: m.bias } : undefined;
  };

  functionAt(pc: bigint): { fn: FunctionInfo; debug: DebugInfo } | undefined {
    const debug = this.debugAt(pc);
    const fn = debug?.functionAt(pc);
    return debug && fn ? { fn, debug } : undefined;
  }

  lineForAddress(pc: bigint): SourceLine | undefined {
    return this.debugAt(pc)?.lineForAddress(pc);
  }

  /**
   * The name inside gdb's `<...>` for an address whose minimal symbol is `loc`
   * (build_address_symbolic): the debug-info function there wins, so libc's
   * `malloc` shows as its DWARF linkage name `__GI___libc_malloc`. Only where
   * both start at the same address (elsewhere gdb's choice is the minimal symbol's).
   */
  symbolicName(loc: { symbol: { address: bigint; kind: string }; name: string }): string {
    return symbolicNameIn(this.functionAt(loc.symbol.address), loc);
  }

  functionSymbol(name: string): bigint | undefined {
    const sym = this.image.symbolByName(name)?.symbol;
    return sym !== undefined && sym.kind === 'function' ? sym.address : undefined;
  }

  functionsNamed(name: string): Array<{ fn: FunctionInfo; debug: DebugInfo }> {
    const out: Array<{ fn: FunctionInfo; debug: DebugInfo }> = [];
    for (const debug of this.debugInfos()) for (const fn of debug.functionsNamed(name)) out.push({ fn, debug });
    return out;
  }

  /**
   * Build the stack, innermost first. Functions inlined at a pc get frames of
   * their own, as in gdb. Stops after main (gdb's `backtrace past-main off`)
   * or at `limit`. `skipInline` innermost inlined calls of frame 0 are hidden,
   * as gdb hides those a step stopped at the very start of (its frame 0 is
   * then their caller, at the line of the call).
   */
  async backtrace(regs: Registers, readMemory: ReadMemory, limit = 256, fpState?: () => Promise<Buffer | undefined>, skipInline = 0): Promise<StackFrame[]> {
    try {
      return await this.unwindFrames(regs, readMemory, limit, fpState, skipInline);
    } catch (e) {
      // DWARF we cannot read is said here, whoever catches it (callers that fall back to no frames included)
      this.reportDwarfError(e, regs.rip);
      throw e;
    }
  }

  private async unwindFrames(regs: Registers, readMemory: ReadMemory, limit: number, fpState: (() => Promise<Buffer | undefined>) | undefined, skipInline: number): Promise<StackFrame[]> {
    const frames: StackFrame[] = [];
    let cur: UnwindRegs | undefined = { pc: regs.rip, regs: dwarfRegs(regs), exactPc: true };
    while (cur && frames.length < limit) {
      const real = this.framesAt(cur, frames.length, readMemory, frames[frames.length - 1], frames.length === 0 ? skipInline : 0);
      pushAll(frames, real);
      const outer = real[real.length - 1];
      if (outer.functionName === 'main') break;
      let next: UnwindRegs | undefined;
      try {
        next = await unwindStep(cur, readMemory, this.cfiAt);
      } catch (e) {
        // unreadable stack, or CFI we cannot read (said): the backtrace ends here
        this.reportDwarfError(e, cur.pc);
        next = undefined;
      }
      // No progress (same pc and stack pointer): a corrupt stack would loop forever.
      if (next && next.pc === cur.pc && next.regs.get(7) === cur.regs.get(7)) break;
      if (next) {
        const tails = await this.tailFrames(outer, next, readMemory, frames.length);
        for (const f of real) f.callerRegs = tails[0]?.unwind ?? next;
        frames.push(...tails);
      }
      cur = next;
    }
    if (fpState) {
      // Fetched once, on first use; outer frames see frame 0's values, as gdb's
      // amd64 unwinder does for the registers the CFI does not mention.
      let once: Promise<Buffer | undefined> | undefined;
      // (no x87/SSE state from this target: those registers read as unavailable, as in gdb)
      const shared = () => (once ??= fpState().catch(() => undefined));
      for (const f of frames) f.fpState = shared;
    }
    return frames.slice(0, limit);
  }

  /**
   * The tail-call frames between `callee` (the outermost frame of one set of
   * registers) and its caller's registers (./tailcall.ts): each at the
   * address after its jump, with the caller's registers and the callee's CFA,
   * named by the innermost function at its pc (gdb shows no more for them).
   */
  private async tailFrames(callee: StackFrame, callerRegs: UnwindRegs, readMemory: ReadMemory, level: number): Promise<StackFrame[]> {
    if (!callee.fn || !callee.debug) return [];
    const chain = tailCallChain(this, callee.debug.entryOf(callee.fn), callerRegs.pc);
    if (chain.length === 0) return [];
    const cfa = await callee.cfa();
    const out: StackFrame[] = [];
    let prev = callee;
    for (const t of chain) {
      const regs: UnwindRegs = { pc: t.pc, regs: callerRegs.regs, exactPc: false, cfa };
      const probe = new StackFrame(this, level, regs, readMemory);
      const scope = probe.debug && probe.fn ? probe.debug.scopeAt(probe.lookupPc) : undefined;
      const inlined = scope?.blocks.find((b) => b.tag === TAG.inlined_subroutine);
      const f = new StackFrame(this, level + out.length, regs, readMemory, prev, inlined, undefined, true);
      prev.caller = f;
      out.push(f);
      prev = f;
    }
    out.forEach((f, i) => { f.callerRegs = out[i + 1]?.unwind ?? callerRegs; });
    return out;
  }

  /** The frames one set of registers stands for: inlined calls innermost first, then the function. */
  private framesAt(regs: UnwindRegs, level: number, readMemory: ReadMemory, callee: StackFrame | undefined, skip = 0): StackFrame[] {
    const probe = new StackFrame(this, level, regs, readMemory, callee);
    const scope = probe.debug && probe.fn ? probe.debug.scopeAt(probe.lookupPc) : undefined;
    const all = scope ? scope.blocks.filter((b) => b.tag === TAG.inlined_subroutine) : [];
    const inlined = all.slice(Math.min(skip, all.length));
    // The call this frame's innermost shown function made: a hidden inlined call, if any.
    const hidden = skip > 0 ? all[Math.min(skip, all.length) - 1] : undefined;
    if (all.length === 0) {
      if (callee) callee.caller = probe;
      return [probe];
    }
    const out: StackFrame[] = [];
    let prev = callee;
    const shown = [...inlined, undefined];
    for (const [i, die] of shown.entries()) {
      const f = new StackFrame(this, level + out.length, regs, readMemory, prev, die, i > 0 ? shown[i - 1] : hidden);
      if (prev) prev.caller = f;
      out.push(f);
      prev = f;
    }
    return out;
  }
}

/** ptrace register set -> DWARF-numbered registers (0..16). */
export function dwarfRegs(regs: Registers): Map<number, bigint> {
  const m = new Map<number, bigint>();
  X86_64_DWARF_REGS.forEach((name, i) => m.set(i, regs[name]));
  return m;
}

const FILE_PROGRAMS = new WeakMap<ElfFile, ProgramInfo>();
let EMPTY: ProgramInfo | undefined;

/** An image with no modules (ProgramInfo.empty): its `exe` has no ELF, so no symbols and no DWARF. */
function emptyImage(): ProcessImage {
  const image: Pick<ProcessImage, 'exe' | 'libraries' | 'modules' | 'symbolByName' | 'moduleAt' | 'symbolAt' | 'refresh'> = {
    exe: {} as LoadedModule,
    libraries: [],
    modules: [],
    symbolByName: () => undefined,
    moduleAt: () => undefined,
    symbolAt: () => undefined,
    refresh: async () => undefined,
  };
  return image as ProcessImage;
}

function fileOnlyImage(elf: ElfFile): ProcessImage {
  const exe = LoadedModule.fromElf(elf, elf.path, elf.firstLoadVaddr, elf.firstLoadVaddr + BigInt(elf.data.length), 0n);
  const image: Pick<ProcessImage, 'exe' | 'libraries' | 'modules' | 'symbolByName' | 'moduleAt' | 'symbolAt' | 'refresh'> = {
    exe,
    libraries: [],
    modules: [exe],
    symbolByName: (name: string) => {
      const sym = exe.symbols?.symbolByName(name);
      return sym ? { symbol: sym, module: exe } : undefined;
    },
    moduleAt: (addr: bigint) => (exe.contains(addr) ? exe : undefined),
    symbolAt: (addr: bigint) => {
      const loc = exe.symbols?.symbolAt(addr);
      return loc ? { ...loc, module: exe } : undefined;
    },
    refresh: async () => undefined,
  };
  return image as ProcessImage;
}

/** ProgramDebug.symbolicName's rule, given the debug-info function at the symbol's address (also without a process). */
export function symbolicNameIn(hit: { fn: FunctionInfo; debug: DebugInfo } | undefined, loc: { symbol: { address: bigint; kind: string }; name: string }): string {
  if (loc.symbol.kind !== 'function') return loc.name;
  if (!hit || hit.fn.low + hit.debug.bias !== loc.symbol.address) return loc.name;
  return gdbFunctionName(hit.fn.die) ?? loc.name;
}
