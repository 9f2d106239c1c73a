/** SourceLevel's snapshots by expression: `snapshot *node`, `snapshot diff config` (fields by name), `restore EXPR`. */
import { Evaluator } from '../../dwarf/evaluator.js';
import { Value } from '../../dwarf/value.js';
import { strip, sizeOf, typeName, isCharType, type CType } from '../../dwarf/types.js';
import { memberValue } from '../../dwarf/format.js';
import { snapshotsOf } from '../../target/capabilities.js';
import { CommandError } from '../parse.js';
import { expected } from '../../debugger/errors.js';
import { hexWord } from '../../util/hex.js';
import type { SourceLevel } from './index.js';

// ------------------------------------------------------------ snapshots by expression

/** Typed object an expression designates: an lvalue in memory, or what a pointer points at. */
export async function typedObject(s: SourceLevel, expr: string): Promise<{ address: bigint; type: CType } | undefined> {
  const ev = await s.evaluator();
  const v = await ev.evaluate(expr);
  const t = strip(v.type);
  if (t.kind === 'pointer' && strip(t.target).kind !== 'void' && strip(t.target).kind !== 'function') {
    const addr = await v.bigint();
    return addr === undefined ? undefined : { address: BigInt.asUintN(64, addr), type: t.target };
  }
  if (v.address !== undefined && t.kind !== 'function') return { address: v.address, type: v.type };
  return undefined;
}

/**
 * `snapshot EXPR`: take a snapshot of the object EXPR designates (address
 * and size from its type). The Session has no one-argument form, so an
 * expression that does not evaluate is reported as such.
 */
export async function snapshotExpression(s: SourceLevel, expr: string): Promise<boolean> {
  if (!s.active || !s.program()) return false;
  const obj = await s.typedObject(expr);
  if (!obj) throw new CommandError(`"${expr}" is not an object in memory; use "snapshot ADDR LEN".`);
  await s.host.snapshotAt('take', obj.address, sizeOf(obj.type));
  return true;
}

/**
 * The typed object a snapshot command's expression names (`snapshot diff
 * config`, `restore &cfg`), or undefined: no DWARF, a plain address, an
 * expression that is no object in memory (the Session's byte commands then).
 */
export async function snapshotObject(s: SourceLevel, expr: string, needProcess: boolean): Promise<{ address: bigint; type: CType } | undefined> {
  if (!s.active || !expr || /^(0x[0-9a-f]+|\d+)$/i.test(expr) || (needProcess && !s.program())) return undefined;
  return s.typedObject(expr).catch(expected(undefined));
}

/** `snapshot diff EXPR`: the changed fields of the object since its snapshot. */
export async function snapshotDiff(s: SourceLevel, obj: { address: bigint; type: CType }): Promise<void> {
  const t = s.host.target()!;
  const engine = snapshotsOf(t);
  const held = await engine.list();
  const snap = held.find((h) => obj.address >= h.start && obj.address + BigInt(sizeOf(obj.type)) <= h.start + BigInt(h.length));
  if (!snap) throw new CommandError(`No snapshot holds ${typeName(obj.type)} at ${hexWord(obj.address)}.`);
  const oldAll = await engine.read(snap.start);
  const off = Number(obj.address - snap.start);
  const oldBytes = oldAll.subarray(off, off + sizeOf(obj.type));
  const ev = await s.evaluator();
  const now = new Value(obj.type, { kind: 'memory', address: obj.address }, ev.ctx);
  const was = Value.fromBytes(obj.type, Buffer.from(oldBytes), ev.ctx);
  const changes: string[] = [];
  await diffValues(ev, '', was, now, changes);
  s.host.out(changes.length ? changes.join('\n') : 'No changes.');
}

/** Field-by-field comparison: `fl.mode: 5 -> 3`, `next: 0x0 -> 0x4052a0`. */
export async function diffValues(ev: Evaluator, path: string, was: Value, now: Value, out: string[]): Promise<void> {
  const t = strip(now.type);
  if (t.kind === 'struct' || t.kind === 'union') {
    for (const m of t.members) {
      const name = m.name ?? '<anon>';
      await diffValues(ev, path ? `${path}.${name}` : name, memberValue(was, m), memberValue(now, m), out);
    }
    return;
  }
  // Arrays element by element (`matrix[1][2]: 6 -> 9`), except strings, which read better whole.
  if (t.kind === 'array' && t.count !== undefined && t.count <= 256 && !isCharType(t.element)) {
    const es = sizeOf(t.element);
    const wb = (await was.bytes())!;
    for (let i = 0; i < t.count; i++) {
      const w = Value.fromBytes(t.element, wb.subarray(i * es, (i + 1) * es), ev.ctx);
      const n = new Value(t.element, { kind: 'memory', address: now.address! + BigInt(i * es) }, ev.ctx);
      await diffValues(ev, `${path}[${i}]`, w, n, out);
    }
    return;
  }
  const a = await was.bytes();
  const b = await now.bytes();
  if (was.bits && now.bits) {
    const x = await was.bigint();
    const y = await now.bigint();
    if (x === y) return;
  } else if (a && b && a.equals(b)) return;
  const label = path || '(value)';
  out.push(`${label}: ${await ev.formatNested(was)} -> ${await ev.formatNested(now)}`);
}
