/**
 * x86-64 disassembly through iced-x86, formatted like gdb's AT&T output:
 * `mov    -0x8(%rbp),%rax`, `call   0x401136 <tick>`,
 * `mov    0x2ecc(%rip),%eax        # 0x404044 <counter>` (libopcodes: eight spaces after the operands, whatever their width).
 */
import type { Formatter } from 'iced-x86';
import { iced } from '../util/iced.js';
import type { Symbolizer } from './format.js';
import { hexWord } from '../util/hex.js';
import { wrapHint } from '../dwarf/wrap.js';

export interface Insn {
  address: bigint;
  length: number;
  bytes: Buffer;
  /** `mov    %rsp,%rbp` with gdb's column and symbol annotations. */
  text: string;
  /** Direct call target, if the instruction is a near call. */
  callTarget?: bigint;
  isCall: boolean;
  isReturn: boolean;
}

let formatter: Formatter | undefined;

function gasFormatter(): Formatter {
  if (!formatter) {
    const { Formatter, FormatterSyntax } = iced();
    const f = new Formatter(FormatterSyntax.Gas);
    f.uppercaseHex = false;
    f.smallHexNumbersInDecimal = false;
    f.branchLeadingZeros = false;
    f.ripRelativeAddresses = true;
    f.showZeroDisplacements = true;
    f.addLeadingZeroToHexNumbers = false;
    f.hexPrefix = '0x';
    f.hexSuffix = '';
    formatter = f;
  }
  return formatter;
}

/**
 * libopcodes' mnemonic where iced's differs: no size suffix on a 64-bit-only
 * stack or branch instruction (`jmp *0x2fe2(%rip)`, `push $0x0`), and the
 * redundant prefixes of the long nop padding named (`data16 cs nopw`).
 */
function opcodesMnemonic(mnemonic: string, bytes: Buffer): string {
  if (/^(call|jmp|push|pop|ret)q$/.test(mnemonic)) return mnemonic.slice(0, -1);
  if (mnemonic !== 'nopw') return mnemonic;
  let i = 0;
  const prefixes: string[] = [];
  while (bytes[i] === 0x66 || bytes[i] === 0x2e) prefixes.push(bytes[i++] === 0x2e ? 'cs' : 'data16');
  // the last 0x66 is the operand size (the `w`)
  const last = prefixes.lastIndexOf('data16');
  if (last >= 0) prefixes.splice(last, 1);
  return prefixes.length ? `${prefixes.join(' ')} nopw` : mnemonic;
}

/** The opcode byte after the legacy and REX prefixes. */
function opcodeByte(bytes: Buffer): number | undefined {
  let i = 0;
  while (i < bytes.length && ([0x66, 0x67, 0xf0, 0xf2, 0xf3, 0x2e, 0x36, 0x3e, 0x26, 0x64, 0x65].includes(bytes[i]!) || (bytes[i]! & 0xf0) === 0x40)) i++;
  return bytes[i];
}

/**
 * libopcodes' operands where iced's differ: a shift or rotate by one in its
 * own encoding (D0/D1) without the `$0x1`, the three-operand imul with both
 * registers even when they are the same, the string instructions' segments,
 * x87's implicit %st(1).
 */
function opcodesOperands(mnemonic: string, operands: string, bytes: Buffer, opCount: number): string {
  // the x87 forms with an implicit %st(1)
  if (!operands && mnemonic === 'fxch') return '%st(1)';
  if (!operands && /^f(add|mul|sub|subr|div|divr)p$/.test(mnemonic)) return '%st,%st(1)';
  const op = opcodeByte(bytes);
  if ((op === 0xd0 || op === 0xd1) && operands.startsWith('$0x1,')) return operands.slice(5);
  if (mnemonic.startsWith('imul') && opCount === 3) {
    const m = /^(\$[^,]+),(%\w+)$/.exec(operands);
    if (m) return `${m[1]},${m[2]},${m[2]}`;
  }
  if (/(^|\s)(stos|movs|scas|cmps|lods|ins|outs)[bwlq]?$/.test(mnemonic)) {
    return operands.replace(/(^|,)\(%rdi\)/, '$1%es:(%rdi)').replace(/(^|,)\(%rsi\)/, '$1%ds:(%rsi)');
  }
  return operands;
}

/** objdump/gdb pad the mnemonic to 6 columns and add a space. */
function layout(mnemonic: string, operands: string): string {
  if (!operands) return mnemonic;
  // gdb always prints the scale: (%rax,%rbx,1).
  const ops = operands.replace(/\((%\w+),(%\w+)\)/g, '($1,$2,1)');
  return `${mnemonic.padEnd(6)} ${ops}`;
}

/** Decode every whole instruction in `code` (which starts at `address`), at most `max`. */
export function disassemble(code: Buffer, address: bigint, sym: Symbolizer, max = Infinity): Insn[] {
  const { Decoder, DecoderOptions, FlowControl } = iced();
  const decoder = new Decoder(64, new Uint8Array(code), DecoderOptions.None);
  decoder.ip = address;
  const f = gasFormatter();
  const out: Insn[] = [];
  try {
    while (decoder.canDecode && out.length < max) {
      const insn = decoder.decode();
      try {
        const off = Number(insn.ip - address);
        if (off + insn.length > code.length) break;
        const flow = insn.flowControl;
        const isCall = flow === FlowControl.Call || flow === FlowControl.IndirectCall;
        const isBranch = isCall || flow === FlowControl.UnconditionalBranch || flow === FlowControl.ConditionalBranch;
        const bytes = code.subarray(off, off + insn.length);
        const mnemonic = opcodesMnemonic(f.formatMnemonic(insn), bytes);
        let text = layout(mnemonic, opcodesOperands(mnemonic, f.formatAllOperands(insn), bytes, insn.opCount));
        if (insn.isInvalid) text = '(bad)';
        let callTarget: bigint | undefined;
        if (isBranch && flow !== FlowControl.IndirectCall && insn.nearBranchTarget !== 0n) {
          const s = sym(insn.nearBranchTarget);
          if (s) text += ` <${s}>`;
          if (isCall) callTarget = insn.nearBranchTarget;
        } else if (insn.isIpRelMemoryOperand) {
          const target = insn.ipRelMemoryAddress;
          const s = sym(target);
          text = `${text}        # ${hexWord(target)}${s ? ` <${s}>` : ''}`;
        }
        out.push({
          address: insn.ip,
          length: insn.length,
          bytes: code.subarray(off, off + insn.length),
          text,
          callTarget,
          isCall,
          isReturn: flow === FlowControl.Return,
        });
      } finally {
        insn.free();
      }
    }
  } finally {
    decoder.free();
  }
  return out;
}

/** `x/i` line: `=> 0x40113a <tick+4>:\tmov    %rdi,-0x8(%rbp)`. */
export function formatXInsn(i: Insn, pc: bigint | undefined, sym: Symbolizer): string {
  const s = sym(i.address);
  const marker = i.address === pc ? '=> ' : '   ';
  // gdb's print_formatted wraps here (4) for long symbolic names
  return `${marker}${hexWord(i.address)}${s ? ` <${s}>` : ''}:\t${wrapHint(4)}${i.text}`;
}
