/**
 * DWARF layer of tsdbg: our own parser of DWARF 4 and 5 as gcc/clang emit it
 * (there is no well-kept DWARF library on npm). Imports nothing above
 * src/elf/ and src/target/ (never src/commands/).
 *
 * API
 *   DebugInfo.load(path | ElfFile)          index once per image (DWARF 4/5, type units, compressed
 *                                           sections); set `.bias` to the load bias
 *     .lineForAddress(pc)                   -> {path, file, line, column, address, end, isStmt}
 *     .addressesForLine(file, line)         -> [{address, file, line, function}]  (`break FILE:LINE`)
 *     .functionAt(pc) .functionsNamed(name) .breakpointAddress(fn)   (`break FUNC`, past the prologue)
 *     .scopeAt(pc) .globalVariables(name) .lookupType(name) .typeOf(die) .sourceFiles()
 *   ProgramInfo.create(target)              executable + libraries (ProcessImage) with their DWARF and CFI;
 *                                           separate debug files (libc6-dbg) load when a pc needs them
 *     .backtrace(registers, readMemory)     -> StackFrame[] (CFI unwinding, frame-pointer fallback,
 *                                              a frame per inlined call, stops after main like gdb)
 *     .functionAt(pc) .lineForAddress(pc) .functionsNamed(name) .exeDebug .debugInfos()
 *   StackFrame                              .pc .fn .inlined .line .functionName .scopeBlocks() .reg(n)
 *                                           .cfa() .frameBase() .entryValue(expr) .caller .callee
 *   new Evaluator({program, frame, readMemory, writeMemory?, writeRegister?, history?, callFunction?})
 *     .evaluate(expr) -> Value              C expressions over DWARF types
 *     .format(value, {format}) / .formatNested(value)   gdb `print` text
 *     .ptype(src) .ptypeOffsets(src) .whatis(src) .locals() .args() .typeFromName(src)
 *   frameLine(frame, ev) infoLocals(ev) infoArgs(ev) sourceLineText(path, file, line)   gdb's text
 *   CallFrameInfo / unwindStep              .eh_frame + .debug_frame parsing, one unwind step
 *   evaluateLocation(expr, ctx)             DWARF expression stack machine
 *   callInferior(target, fn, args)          run a function of the stopped program (for callFunction)
 */
export { DebugInfo, type FunctionInfo, type SourceLine, type LineAddress } from './debuginfo.js';
export { ProgramInfo, StackFrame, dwarfRegs, type ReadMemory } from './program.js';
export { Evaluator, ExprError, type EvalEnv } from './evaluator.js';
export { Value } from './value.js';
export { frameLine, frameArgs, infoLocals, infoArgs, sourceLineText, sourceLines, SourceText } from './present.js';
export { CallFrameInfo, unwindStep, frameLayout, type FrameLayout } from './frame.js';
export { evaluateLocation, type Location } from './expr.js';
export { DwarfError } from './reader.js';
export { callInferior, type CallResult } from './call.js';
export { typeName, sizeOf, strip, type CType } from './types.js';
export { formatFloat } from './format.js';
