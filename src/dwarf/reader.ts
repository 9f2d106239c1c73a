/** Little-endian cursor over a DWARF section, with LEB128 and offset-size aware reads. */
export class DwarfError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DwarfError';
  }
}

export class Reader {
  constructor(public buf: Buffer, public pos = 0) {}

  get eof(): boolean {
    return this.pos >= this.buf.length;
  }
  private need(n: number): void {
    if (this.pos < 0 || !(this.pos + n <= this.buf.length)) {
      throw new DwarfError(`truncated DWARF data at offset 0x${this.pos.toString(16)}`);
    }
  }
  u8(): number {
    this.need(1);
    return this.buf[this.pos++];
  }
  i8(): number {
    this.need(1);
    return this.buf.readInt8(this.pos++);
  }
  u16(): number {
    this.need(2);
    const v = this.buf.readUInt16LE(this.pos);
    this.pos += 2;
    return v;
  }
  i16(): number {
    this.need(2);
    const v = this.buf.readInt16LE(this.pos);
    this.pos += 2;
    return v;
  }
  u24(): number {
    this.need(3);
    const v = this.buf[this.pos] | (this.buf[this.pos + 1] << 8) | (this.buf[this.pos + 2] << 16);
    this.pos += 3;
    return v;
  }
  u32(): number {
    this.need(4);
    const v = this.buf.readUInt32LE(this.pos);
    this.pos += 4;
    return v;
  }
  i32(): number {
    this.need(4);
    const v = this.buf.readInt32LE(this.pos);
    this.pos += 4;
    return v;
  }
  u64(): bigint {
    this.need(8);
    const v = this.buf.readBigUInt64LE(this.pos);
    this.pos += 8;
    return v;
  }
  i64(): bigint {
    this.need(8);
    const v = this.buf.readBigInt64LE(this.pos);
    this.pos += 8;
    return v;
  }
  /** 8-byte value as a number when it fits exactly (offsets, sizes). */
  u64n(): number {
    const v = this.u64();
    return v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : Number.MAX_SAFE_INTEGER;
  }
  /** Unsigned LEB128 as a number (values above 2^53 lose precision: use uleb128Big). */
  uleb(): number {
    let result = 0;
    let mul = 1;
    const b = this.buf;
    for (;;) {
      if (this.pos >= b.length) throw new DwarfError('truncated LEB128');
      const byte = b[this.pos++];
      result += (byte & 0x7f) * mul;
      if ((byte & 0x80) === 0) return result;
      mul *= 128;
    }
  }
  sleb(): number {
    let result = 0;
    let mul = 1;
    let byte: number;
    const b = this.buf;
    do {
      if (this.pos >= b.length) throw new DwarfError('truncated LEB128');
      byte = b[this.pos++];
      result += (byte & 0x7f) * mul;
      mul *= 128;
    } while (byte & 0x80);
    if (byte & 0x40) result -= mul;
    return result;
  }
  ulebBig(): bigint {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      const byte = this.u8();
      result |= BigInt(byte & 0x7f) << shift;
      shift += 7n;
      if ((byte & 0x80) === 0) return result;
    }
  }
  slebBig(): bigint {
    let result = 0n;
    let shift = 0n;
    let byte: number;
    do {
      byte = this.u8();
      result |= BigInt(byte & 0x7f) << shift;
      shift += 7n;
    } while (byte & 0x80);
    if (byte & 0x40) result -= 1n << shift;
    return result;
  }
  skipLeb(): void {
    const b = this.buf;
    while (this.pos < b.length && b[this.pos++] & 0x80);
  }
  cstr(): string {
    let end = this.buf.indexOf(0, this.pos);
    if (end < 0) end = this.buf.length;
    const s = this.buf.toString('utf8', this.pos, end);
    this.pos = end + 1;
    return s;
  }
  skipCstr(): void {
    const end = this.buf.indexOf(0, this.pos);
    this.pos = end < 0 ? this.buf.length : end + 1;
  }
  bytes(n: number): Buffer {
    this.need(n);
    const v = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }
  /** Offset of the section's offset size (4 for 32-bit DWARF, 8 for 64-bit). */
  offset(size: number): number {
    return size === 8 ? this.u64n() : this.u32();
  }
  /** Unit length; returns [length, offsetSize]. */
  initialLength(): [number, number] {
    const l = this.u32();
    if (l === 0xffffffff) return [this.u64n(), 8];
    return [l, 4];
  }
  addr(size: number): bigint {
    switch (size) {
      case 8: return this.u64();
      case 4: return BigInt(this.u32());
      case 2: return BigInt(this.u16());
      default: return BigInt(this.u8());
    }
  }
}

/** NUL-terminated UTF-8 string at `off` of a section. */
export function strAt(buf: Buffer | undefined, off: number): string {
  if (!buf || off >= buf.length) return '';
  let end = buf.indexOf(0, off);
  if (end < 0) end = buf.length;
  return buf.toString('utf8', off, end);
}
