/**
 * The full-screen UI reads the terminal raw: this splits what one read gave
 * into keys (a character, a control key, an escape sequence, a mouse wheel
 * event). The bytes of each key are kept, so a key meant for the running
 * program goes to it unchanged.
 */

export type KeyName =
  | 'char' | 'enter' | 'backspace' | 'delete' | 'insert' | 'tab' | 'escape'
  | 'up' | 'down' | 'left' | 'right' | 'pageup' | 'pagedown' | 'home' | 'end'
  | 'f1' | 'f2' | 'f3' | 'f4' | 'f5' | 'f6' | 'f7' | 'f8' | 'f9' | 'f10' | 'f11' | 'f12'
  | 'ctrl' | 'wheelup' | 'wheeldown' | 'mouse' | 'unknown';

export interface Key {
  name: KeyName;
  /** The character typed (`char`), or the letter of a control key (`ctrl`: 'c' for Ctrl-C). */
  text: string;
  shift: boolean;
  /** The bytes the terminal sent. */
  bytes: string;
  /** A mouse event's cell (1-based, as the terminal says). */
  x?: number;
  y?: number;
}

/** `ESC [ N ~` numbers of the function and editing keys. */
const TILDE: Record<string, KeyName> = {
  1: 'home', 2: 'insert', 3: 'delete', 4: 'end', 5: 'pageup', 6: 'pagedown', 7: 'home', 8: 'end',
  11: 'f1', 12: 'f2', 13: 'f3', 14: 'f4', 15: 'f5', 17: 'f6', 18: 'f7', 19: 'f8', 20: 'f9', 21: 'f10', 23: 'f11', 24: 'f12',
};
const FINAL: Record<string, KeyName> = { A: 'up', B: 'down', C: 'right', D: 'left', H: 'home', F: 'end', P: 'f1', Q: 'f2', R: 'f3', S: 'f4' };

const CSI = /^\x1b\[([<?]?)([\d;]*)([A-Za-z~])/;
const SS3 = /^\x1bO([A-Z])/;

/** The keys in one read of the terminal, in order. */
export function parseKeys(data: string): Key[] {
  const keys: Key[] = [];
  let i = 0;
  while (i < data.length) {
    const rest = data.slice(i);
    const key = escapeKey(rest) ?? plainKey(rest);
    keys.push(key);
    i += key.bytes.length;
  }
  return keys;
}

function escapeKey(s: string): Key | undefined {
  if (s[0] !== '\x1b' || s.length === 1) return undefined;
  const csi = CSI.exec(s);
  if (csi) {
    const [bytes, mark, params, final] = csi as unknown as [string, string, string, string];
    const nums = params.split(';').map((n) => Number(n));
    if (mark === '<' && (final === 'M' || final === 'm')) {
      const button = nums[0] ?? 0;
      const name: KeyName = button === 64 ? 'wheelup' : button === 65 ? 'wheeldown' : 'mouse';
      return { name, text: '', shift: false, bytes, x: nums[1], y: nums[2] };
    }
    const shift = nums[1] === 2;
    const name = final === '~' ? (TILDE[String(nums[0])] ?? 'unknown') : (FINAL[final] ?? 'unknown');
    return { name, text: '', shift, bytes };
  }
  const ss3 = SS3.exec(s);
  if (ss3) return { name: FINAL[ss3[1]!] ?? 'unknown', text: '', shift: false, bytes: ss3[0] };
  // Alt+key: ESC then the key
  return { name: 'escape', text: '', shift: false, bytes: '\x1b' };
}

function plainKey(s: string): Key {
  const c = s[0]!;
  const code = c.charCodeAt(0);
  if (c === '\r' || c === '\n') return { name: 'enter', text: '', shift: false, bytes: c };
  if (c === '\x7f' || c === '\b') return { name: 'backspace', text: '', shift: false, bytes: c };
  if (c === '\t') return { name: 'tab', text: '', shift: false, bytes: c };
  if (c === '\x1b') return { name: 'escape', text: '', shift: false, bytes: c };
  if (code < 32) return { name: 'ctrl', text: String.fromCharCode(code + 96), shift: false, bytes: c };
  // a whole code point (a surrogate pair stays together)
  const ch = String.fromCodePoint(s.codePointAt(0)!);
  return { name: 'char', text: ch, shift: false, bytes: ch };
}
