/** Flag and constant names strace prints (x86-64 values). */

type Table = ReadonlyArray<readonly [bigint | number, string]>;

/** `A|B|0x40` for the bits of v named in table; `zero` when v is 0. */
export function flagNames(v: bigint, table: Table, zero = '0'): string {
  if (v === 0n) return zero;
  const out: string[] = [];
  let rest = v;
  for (const [bit, name] of table) {
    const b = BigInt(bit);
    if (b !== 0n && (rest & b) === b) { out.push(name); rest &= ~b; }
  }
  if (rest !== 0n) out.push('0x' + rest.toString(16));
  return out.join('|');
}

/** The name of a constant, or the number. */
export function constName(v: bigint, table: Table, fallback: (v: bigint) => string = (x) => x.toString()): string {
  for (const [val, name] of table) if (BigInt(val) === v) return name;
  return fallback(v);
}

const O_FLAGS: Table = [
  // strace's order (xlat/open_mode_flags.in); O_SYNC contains O_DSYNC, O_TMPFILE O_DIRECTORY
  [0o100, 'O_CREAT'], [0o200, 'O_EXCL'], [0o400, 'O_NOCTTY'], [0o1000, 'O_TRUNC'], [0o2000, 'O_APPEND'],
  [0o4000, 'O_NONBLOCK'], [0o4010000, 'O_SYNC'], [0o10000, 'O_DSYNC'], [0o20000, 'O_ASYNC'], [0o40000, 'O_DIRECT'],
  [0o100000, 'O_LARGEFILE'], [0o1000000, 'O_NOATIME'], [0o2000000, 'O_CLOEXEC'], [0o10000000, 'O_PATH'],
  [0o20200000, 'O_TMPFILE'], [0o200000, 'O_DIRECTORY'], [0o400000, 'O_NOFOLLOW'],
];

/** open(2) flags: the access mode, then the rest (O_RDONLY|O_CLOEXEC). */
export function openFlags(v: bigint): string {
  const acc = ['O_RDONLY', 'O_WRONLY', 'O_RDWR', 'O_ACCMODE'][Number(v & 3n)]!;
  const rest = v & ~3n;
  return rest === 0n ? acc : `${acc}|${flagNames(rest, O_FLAGS)}`;
}
/** Whether open(2)'s mode argument matters (strace prints it only then). */
export const openHasMode = (v: bigint): boolean => (v & 0o100n) !== 0n || (v & 0o20200000n) === 0o20200000n;

export const octal = (v: bigint): string => (v === 0n ? '000' : '0' + v.toString(8).padStart(3, '0'));

export const PROT: Table = [[1, 'PROT_READ'], [2, 'PROT_WRITE'], [4, 'PROT_EXEC'], [0x01000000, 'PROT_GROWSDOWN'], [0x02000000, 'PROT_GROWSUP']];
export const protFlags = (v: bigint): string => flagNames(v, PROT, 'PROT_NONE');

const MAP_TYPE: Table = [[1, 'MAP_SHARED'], [2, 'MAP_PRIVATE'], [3, 'MAP_SHARED_VALIDATE']];
const MAP_FLAGS: Table = [
  [0x10, 'MAP_FIXED'], [0x20, 'MAP_ANONYMOUS'], [0x40, 'MAP_32BIT'], [0x100, 'MAP_GROWSDOWN'], [0x800, 'MAP_DENYWRITE'],
  [0x1000, 'MAP_EXECUTABLE'], [0x2000, 'MAP_LOCKED'], [0x4000, 'MAP_NORESERVE'], [0x8000, 'MAP_POPULATE'],
  [0x10000, 'MAP_NONBLOCK'], [0x20000, 'MAP_STACK'], [0x40000, 'MAP_HUGETLB'], [0x80000, 'MAP_SYNC'],
  [0x100000, 'MAP_FIXED_NOREPLACE'],
];
export function mmapFlags(v: bigint): string {
  const type = constName(v & 0xfn, MAP_TYPE, (x) => '0x' + x.toString(16));
  const rest = v & ~0xfn;
  return rest === 0n ? type : `${type}|${flagNames(rest, MAP_FLAGS)}`;
}

export const ACCESS_MODE: Table = [[4, 'R_OK'], [2, 'W_OK'], [1, 'X_OK']];
export const accessMode = (v: bigint): string => flagNames(v, ACCESS_MODE, 'F_OK');

export const AT_FLAGS: Table = [
  [0x100, 'AT_SYMLINK_NOFOLLOW'], [0x200, 'AT_REMOVEDIR'], [0x400, 'AT_SYMLINK_FOLLOW'], [0x800, 'AT_NO_AUTOMOUNT'],
  [0x1000, 'AT_EMPTY_PATH'], [0x8000, 'AT_RECURSIVE'],
];
export const atFlags = (v: bigint): string => flagNames(v, AT_FLAGS);

/** A directory fd argument: AT_FDCWD or the number. */
export const dirfd = (v: bigint): string => (BigInt.asIntN(32, v) === -100n ? 'AT_FDCWD' : BigInt.asIntN(32, v).toString());

export const SEEK: Table = [[0, 'SEEK_SET'], [1, 'SEEK_CUR'], [2, 'SEEK_END'], [3, 'SEEK_DATA'], [4, 'SEEK_HOLE']];

const S_IFMT: Table = [
  [0o140000, 'S_IFSOCK'], [0o120000, 'S_IFLNK'], [0o100000, 'S_IFREG'], [0o60000, 'S_IFBLK'], [0o40000, 'S_IFDIR'],
  [0o20000, 'S_IFCHR'], [0o10000, 'S_IFIFO'],
];
/** st_mode: S_IFREG|0644. */
export function statMode(v: bigint): string {
  const type = constName(v & 0o170000n, S_IFMT, () => '');
  const special = flagNames(v & 0o7000n, [[0o4000, 'S_ISUID'], [0o2000, 'S_ISGID'], [0o1000, 'S_ISVTX']], '');
  const p = '0' + (v & 0o777n).toString(8).padStart(3, '0');
  return [type, special, p].filter(Boolean).join('|');
}

export const ARCH_PRCTL: Table = [[0x1001, 'ARCH_SET_GS'], [0x1002, 'ARCH_SET_FS'], [0x1003, 'ARCH_GET_FS'], [0x1004, 'ARCH_GET_GS'], [0x3001, 'ARCH_CET_STATUS']];

export const SOCK_FAMILY: Table = [[0, 'AF_UNSPEC'], [1, 'AF_UNIX'], [2, 'AF_INET'], [10, 'AF_INET6'], [16, 'AF_NETLINK'], [17, 'AF_PACKET']];
const SOCK_TYPE: Table = [[1, 'SOCK_STREAM'], [2, 'SOCK_DGRAM'], [3, 'SOCK_RAW'], [5, 'SOCK_SEQPACKET']];
export function sockType(v: bigint): string {
  const t = constName(v & 0xfn, SOCK_TYPE);
  const rest = v & ~0xfn;
  return rest === 0n ? t : `${t}|${flagNames(rest, [[0o2000000, 'SOCK_CLOEXEC'], [0o4000, 'SOCK_NONBLOCK']])}`;
}
