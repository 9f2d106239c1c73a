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
        let text = layout(f.formatMnemonic(insn), f.formatAllOperands(insn));
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
