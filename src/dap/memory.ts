/**
 * readMemory, writeMemory and disassemble. A memoryReference is an address
 * (`0x...`, or any expression the core evaluates to one). Unreadable bytes
 * are reported as DAP's `unreadableBytes`, never as an error.
 */
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { DapBackend, Instruction } from './backend.js';
import { strip } from '../dwarf/types.js';
import { expected } from '../debugger/errors.js';

/** Most bytes one readMemory answers (a client pages through more). */
const READ_MAX = 1 << 20;

export async function addressOf(backend: DapBackend, ref: string): Promise<bigint> {
  if (typeof ref !== 'string' || ref.trim() === '') throw new Error('"memoryReference" is required.');
  if (/^(0x[0-9a-f]+|\d+)$/i.test(ref.trim())) return BigInt(ref.trim());
  const r = await backend.evaluate(ref, undefined, 0);
  const v = r.value;
  // an array or a struct is its address; a pointer or a number, its value
  const kind = strip(v.type).kind;
  const whole = kind === 'array' || kind === 'struct' || kind === 'union' || kind === 'function';
  // (a value that is no number, e.g. a float's bits unreadable: its address)
  const a = whole ? v.address : (await v.bigint().catch(expected(undefined))) ?? v.address;
  if (a === undefined) throw new Error(`"${ref}" is not an address.`);
  return BigInt.asUintN(64, a);
}

export async function readMemoryRequest(backend: DapBackend, a: DebugProtocol.ReadMemoryArguments): Promise<DebugProtocol.ReadMemoryResponse['body']> {
  const base = BigInt.asUintN(64, (await addressOf(backend, a.memoryReference)) + BigInt(a.offset ?? 0));
  if (!Number.isInteger(a.count) || a.count < 0) throw new Error('"count" must be a number of bytes.');
  const count = Math.min(a.count, READ_MAX);
  const data = count === 0 ? Buffer.alloc(0) : await backend.readMemory(base, count);
  const body: DebugProtocol.ReadMemoryResponse['body'] = { address: `0x${base.toString(16)}`, data: data.toString('base64') };
  if (data.length < a.count) body!.unreadableBytes = a.count - data.length;
  return body;
}

export async function writeMemoryRequest(backend: DapBackend, a: DebugProtocol.WriteMemoryArguments): Promise<{ bytesWritten: number; offset: number }> {
  const base = BigInt.asUintN(64, (await addressOf(backend, a.memoryReference)) + BigInt(a.offset ?? 0));
  if (typeof a.data !== 'string') throw new Error('"data" must be base64 text.');
  const data = Buffer.from(a.data, 'base64');
  await backend.writeMemory(base, data);
  return { bytesWritten: data.length, offset: 0 };
}

function toDap(i: Instruction): DebugProtocol.DisassembledInstruction {
  const d: DebugProtocol.DisassembledInstruction = {
    address: `0x${i.address.toString(16)}`,
    instructionBytes: [...i.bytes].map((b) => b.toString(16).padStart(2, '0')).join(' '),
    instruction: i.text,
  };
  if (i.symbol) d.symbol = i.symbol;
  if (i.line !== undefined) d.line = i.line;
  if (i.path) d.location = { name: i.path.split('/').pop(), path: i.path };
  return d;
}

/**
 * `instructionCount` instructions from `instructionOffset` (negative: before
 * the address). x86 cannot be decoded backwards: the lead-in is decoded from
 * 16 bytes per instruction earlier, where the stream resynchronises, and the
 * instructions that end exactly at the address are kept.
 */
export async function disassembleRequest(backend: DapBackend, a: DebugProtocol.DisassembleArguments): Promise<DebugProtocol.DisassembleResponse['body']> {
  const at = BigInt.asUintN(64, (await addressOf(backend, a.memoryReference)) + BigInt(a.offset ?? 0));
  const count = a.instructionCount;
  if (!Number.isInteger(count) || count <= 0) throw new Error('"instructionCount" must be a positive number.');
  let offset = a.instructionOffset ?? 0;
  let before: Instruction[] = [];
  if (offset < 0) {
    const back = -offset;
    // (the lead-in is unreadable, below a mapping: no instructions before the address)
    const lead = await backend.disassemble(at - BigInt(back * 16), back * 16 + 1).catch(expected([] as Instruction[]));
    const i = lead.findIndex((x) => x.address === at);
    before = i >= 0 ? lead.slice(Math.max(0, i - back), i) : [];
    offset = 0;
  }
  // (unreadable memory: padded with invalid instructions below)
  const after = await backend.disassemble(at, offset + Math.max(0, count - before.length)).catch(expected([] as Instruction[]));
  const list = [...before, ...after.slice(offset)].slice(0, count);
  const out = list.map(toDap);
  // DAP wants exactly instructionCount entries: pad past unreadable memory with invalid ones.
  let next = list.length ? list[list.length - 1]!.address + BigInt(list[list.length - 1]!.bytes.length || 1) : at;
  while (out.length < count) {
    out.push({ address: `0x${next.toString(16)}`, instruction: '(bad)', presentationHint: 'invalid' });
    next += 1n;
  }
  return { instructions: out };
}
