/**
 * The words for what a changed range belongs to (src/debugger/inspect/address-names.ts):
 * `cfg.flags`, `build_list: n`, `frame #1 build_list: n`,
 * `*head (struct node, 16 bytes) .value, heap chunk 0x4052a0 (24 bytes) +0`,
 * `frame #0 mutate: saved rip` (`info frame`'s saved registers).
 * The line console's `snapshot diff`, the UI's diff pane and `tsdbg test` say the same.
 */
import type { AddressOwner, NamedPiece, Scope } from '../debugger/inspect/address-names.js';
import { hexWord } from '../util/hex.js';

const signed = (n: number) => (n < 0 ? `-${-n}` : `+${n}`);
const bytes = (n: number) => `${n} byte${n === 1 ? '' : 's'}`;

/** `main: ` for frame 0's locals, `frame #1 f: ` for an outer frame's, nothing for a global. */
function scopeText(s: Scope): string {
  if (s.scope === 'global') return '';
  return s.frame === 0 ? `${s.function}: ` : `frame #${s.frame} ${s.function}: `;
}

export function ownerText(o: AddressOwner): string {
  switch (o.kind) {
    case 'variable': return `${scopeText(o)}${o.expression}`;
    case 'heap': {
      const chunk = `${o.top ? 'heap top chunk' : 'heap chunk'} ${hexWord(o.chunk)} (${bytes(o.size)})`;
      if (o.header) return `malloc header of ${chunk}`;
      if (!o.via) return `${chunk} ${signed(o.offset)}`;
      const v = o.via;
      const type = v.type ? `${v.type}, ${bytes(v.typeSize)}` : bytes(o.size);
      return `${scopeText(v)}*${v.expression} (${type})${v.path ? ` ${v.path}` : ''}, ${chunk} ${signed(o.offset)}`;
    }
    case 'frame': return `frame #${o.frame}${o.function ? ` ${o.function}` : ''}${o.saved ? `: saved ${o.saved}` : ` (CFA${signed(o.offset)})`}`;
    case 'stack': return '<stack>';
    case 'symbol': return o.offset ? `${o.symbol} + ${o.offset}` : o.symbol;
    case 'unknown': return '<unknown>';
  }
}

/** One line a piece: `0x4040a8..0x4040ac  cfg.flags`. */
export function namedLines(pieces: readonly NamedPiece[], max = 32): string[] {
  const lines = pieces.slice(0, max).map((p) => `${hexWord(p.start)}..${hexWord(p.start + BigInt(p.length))}  ${ownerText(p.owner)}`);
  if (pieces.length > max) lines.push(`... ${pieces.length - max} more named ranges`);
  return lines;
}
