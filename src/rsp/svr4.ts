/**
 * qXfer:libraries-svr4:read for the server: the dynamic loader's list of
 * loaded objects (elf/linkmap.ts) as the document gdbserver sends. The
 * first link_map, the main program, becomes main-lm, not a library.
 */
import type { Target } from '../target/types.js';
import { readLinkMap } from '../elf/linkmap.js';
import { hexWord } from '../util/hex.js';


export function xmlEscape(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The <library-list-svr4> document gdb expects. */
export async function librariesSvr4(target: Target): Promise<string> {
  const map = await readLinkMap(target);
  if (!map) return '<library-list-svr4 version="1.0"/>';
  const libs = map.objects.filter((o) => o.name).map((o) =>
    `<library name="${xmlEscape(o.name)}" lm="${hexWord(o.lm)}" l_addr="${hexWord(o.addr)}" l_ld="${hexWord(o.ld)}" lmid="0x0"/>`);
  return `<library-list-svr4 version="1.0" main-lm="${hexWord(map.main.lm)}">${libs.join('')}</library-list-svr4>`;
}
