/**
 * The registers of a RemoteTarget: laid out from the stub's target
 * description (or the standard amd64 layout), read from one `g` packet per
 * stop (`p` for those beyond it), written with `P` (or a whole `G` when the
 * stub lacks `P`); the x87/SSE state rebuilt as an FXSAVE area and the AVX
 * upper halves when the description names them.
 *
 * The caller checks the process is stopped and its thread selected.
 */
import { REGISTER_NAMES, TargetError, type RegisterName, type Registers } from '../target/types.js';
import { FP_REGISTER_NAMES, FXSAVE_SIZE, readFpRegister, writeFpRegister } from '../target/fpregs.js';
import type { RspClient } from './client.js';
import { fromLeHex, leHex } from './packet.js';
import { AMD64_REGISTERS, type RegisterInfo } from './tdesc.js';

export class RemoteRegisters {
  /** The stub's register layout (its target description, else amd64's). */
  layout: RegisterInfo[] = AMD64_REGISTERS;
  private regCache: Registers | undefined;
  /** The x87/SSE state of this stop, rebuilt as an FXSAVE area from the stub's registers. */
  private fpCache: Buffer | undefined;
  /** ymm0h..ymm15h of this stop, when the stub describes AVX. */
  private ymmCache: Buffer | undefined;
  private usePacketP = true;

  constructor(private readonly client: RspClient) {}

  /** Forget what was read: the program ran, or another thread was selected. */
  invalidate(): void {
    this.regCache = undefined;
    this.fpCache = undefined;
    this.ymmCache = undefined;
  }

  /** The register number of `name` in the stub's layout. */
  regnum(name: string): number | undefined {
    return this.layout.find((r) => r.name === name)?.regnum;
  }

  /** The general registers of the selected thread (read once per stop). */
  async general(): Promise<Registers> {
    if (this.regCache) return { ...this.regCache };
    const g = await this.readG();
    const regs = {} as Registers;
    for (const name of REGISTER_NAMES) {
      const info = this.layout.find((r) => r.name === name);
      regs[name] = info ? await this.registerValue(g, info) : 0n;
    }
    this.regCache = regs;
    return { ...regs };
  }

  /** The `g` packet's hex, checked. */
  private async readG(): Promise<string> {
    const g = await this.client.text('g');
    if (g.startsWith('E') || g.length % 2 !== 0) throw new TargetError('EIO', `the remote could not read registers (${g.slice(0, 8)})`);
    return g;
  }

  /** A register from the g packet, or through `p` when the g packet stops short. */
  private async registerValue(g: string, info: RegisterInfo): Promise<bigint> {
    const start = info.offset * 2;
    const end = start + info.bitsize / 4;
    let text = end <= g.length ? g.slice(start, end) : await this.client.text(`p${info.regnum.toString(16)}`);
    if (text.startsWith('E') || text === '') throw new TargetError('EIO', `the remote could not read ${info.name}`);
    if (text.includes('x')) text = text.replace(/x/g, '0'); // unavailable: report 0
    return fromLeHex(text);
  }

  async setGeneral(values: Partial<Registers>): Promise<void> {
    const entries = Object.entries(values) as Array<[RegisterName, bigint]>;
    for (const [name, value] of entries) {
      const info = this.layout.find((r) => r.name === name);
      if (!info) throw new TargetError('EINVAL', `the remote has no register ${name}`);
      const data = leHex(value, info.bitsize / 8);
      let ok = false;
      if (this.usePacketP) {
        const reply = await this.client.text(`P${info.regnum.toString(16)}=${data}`);
        if (reply === '') this.usePacketP = false;
        else if (reply !== 'OK') throw new TargetError('EIO', `the remote could not write ${name} (${reply})`);
        else ok = true;
      }
      if (!ok) await this.writeViaG(info, data);
    }
    this.regCache = undefined;
  }

  /**
   * The FXSAVE area, from the registers the stub's target description
   * names (gdbserver's amd64 ones: st0-7, fctrl..fop, xmm0-15, mxcsr),
   * read from one `g` packet (or `p` for those beyond it).
   */
  async fp(): Promise<Buffer> {
    if (!this.fpCache) {
      const infos = this.fpRegisterInfos();
      const g = await this.readG();
      let area: Buffer = Buffer.alloc(FXSAVE_SIZE);
      for (const info of infos) {
        const v = await this.registerValue(g, info);
        area = writeFpRegister(area, info.name, Buffer.from(leHex(v, info.bitsize / 8), 'hex'));
      }
      this.fpCache = area;
    }
    return Buffer.from(this.fpCache);
  }

  /** Write back the registers of `area` that differ from the stub's (P, else G). */
  async setFp(area: Buffer): Promise<void> {
    if (area.length !== FXSAVE_SIZE) throw new TargetError('EINVAL', `the FP/SSE area is ${FXSAVE_SIZE} bytes, not ${area.length}`);
    const now = await this.fp();
    for (const info of this.fpRegisterInfos()) {
      const want = readFpRegister(area, info.name);
      if (want.equals(readFpRegister(now, info.name))) continue;
      this.fpCache = undefined;
      await this.writeRegisterHex(info, want.toString('hex'));
    }
    this.fpCache = undefined;
  }

  /** ymm0h..ymm15h, when the stub's target description has the AVX feature (gdbserver's does on AVX machines). */
  async ymm(): Promise<Buffer> {
    if (!this.ymmCache) {
      const infos = this.ymmInfos();
      const g = await this.readG();
      const parts: Buffer[] = [];
      for (const info of infos) parts.push(Buffer.from(leHex(await this.registerValue(g, info), 16), 'hex'));
      this.ymmCache = Buffer.concat(parts);
    }
    return Buffer.from(this.ymmCache);
  }

  async setYmm(upper: Buffer): Promise<void> {
    if (upper.length !== 256) throw new TargetError('EINVAL', `ymm0h-ymm15h are 256 bytes, not ${upper.length}`);
    const now = await this.ymm();
    const infos = this.ymmInfos();
    for (let i = 0; i < 16; i++) {
      const want = upper.subarray(i * 16, i * 16 + 16);
      if (want.equals(now.subarray(i * 16, i * 16 + 16))) continue;
      this.ymmCache = undefined;
      await this.writeRegisterHex(infos[i]!, want.toString('hex'));
    }
    this.ymmCache = undefined;
  }

  ymmInfos(): RegisterInfo[] {
    const infos = Array.from({ length: 16 }, (_, i) => this.layout.find((r) => r.name === `ymm${i}h` && r.bitsize === 128));
    if (infos.some((i) => !i)) throw new TargetError('ENOTSUP', 'the remote stub does not describe the AVX registers');
    return infos as RegisterInfo[];
  }

  fpRegisterInfos(): RegisterInfo[] {
    const infos = FP_REGISTER_NAMES.map((name) => this.layout.find((r) => r.name === name));
    if (infos.some((i) => !i)) throw new TargetError('ENOTSUP', 'the remote stub does not describe the floating-point and SSE registers');
    return infos as RegisterInfo[];
  }

  /** One register from its little-endian hex bytes: `P`, or a whole `G` when the stub lacks `P`. */
  private async writeRegisterHex(info: RegisterInfo, data: string): Promise<void> {
    if (this.usePacketP) {
      const reply = await this.client.text(`P${info.regnum.toString(16)}=${data}`);
      if (reply === 'OK') return;
      if (reply !== '') throw new TargetError('EIO', `the remote could not write ${info.name} (${reply})`);
      this.usePacketP = false;
    }
    await this.writeViaG(info, data);
  }

  private async writeViaG(info: RegisterInfo, data: string): Promise<void> {
    const g = await this.client.text('g');
    const start = info.offset * 2;
    if (g.length < start + data.length) throw new TargetError('EIO', `cannot write ${info.name}: not in the g packet`);
    const reply = await this.client.text(`G${g.slice(0, start)}${data}${g.slice(start + data.length)}`);
    if (reply !== 'OK') throw new TargetError('EIO', `the remote could not write ${info.name} (${reply})`);
  }
}
