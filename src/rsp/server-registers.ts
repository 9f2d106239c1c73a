/**
 * The register packets of the stub (g, G, p, P): the amd64 target
 * description's registers over a Target, general ones from its registers,
 * x87/SSE from the FXSAVE area, ymmNh from the AVX upper halves, each read
 * once per stop.
 */
import type { Registers, Target } from '../target/types.js';
import { fromHex, fromLeHex, leHex, parseHexInt } from './packet.js';
import { AMD64_REGISTERS, targetRegisterName, type RegisterInfo } from './tdesc.js';
import { isFpRegister, readFpRegister, writeFpRegister } from '../target/fpregs.js';
import { PacketError } from './packet-error.js';

const REG_BY_NUM = new Map(AMD64_REGISTERS.map((r) => [r.regnum, r]));
/** N of `ymmNh`, else undefined. */
const ymmIndex = (name: string): number | undefined => {
  const m = /^ymm(\d+)h$/.exec(name);
  return m ? Number(m[1]) : undefined;
};
const G_SIZE = AMD64_REGISTERS.reduce((n, r) => n + r.bitsize / 8, 0);

export class RegisterPackets {
  private regs: Registers | undefined;
  /** x87/SSE state (and AVX upper halves) of the stop `regs` belongs to. */
  private fpCache: { regs: Registers; area: Buffer | undefined; ymmh?: Buffer | null } | undefined;

  /** `target`: the stopped process (throws the packet's error when there is none, or it runs). */
  constructor(private readonly target: () => Target) {}

  /** Forget what was read: the program ran, or its registers were written. */
  invalidate(): void {
    this.regs = undefined;
  }

  async registers(): Promise<Registers> {
    const t = this.target();
    this.regs ??= await t.getRegisters();
    return this.regs;
  }

  /** x87/SSE state of this stop, or undefined when the target cannot give it. */
  private async fpArea(): Promise<Buffer | undefined> {
    const regs = await this.registers();
    if (this.fpCache?.regs !== regs) {
      const t = this.target();
      // (a target that cannot read them: those registers go out as unavailable, `xx`, as gdbserver sends them)
      const area = await t.capabilities.fpRegisters?.get().catch(() => undefined);
      this.fpCache = { regs, area };
    }
    return this.fpCache.area;
  }

  /** ymm0h..ymm15h of this stop (256 bytes), or undefined without AVX. */
  private async ymmUpper(): Promise<Buffer | undefined> {
    await this.fpArea();
    const c = this.fpCache!;
    if (c.ymmh === undefined) {
      const t = this.target();
      // (no AVX state, or unreadable: the ymmNh registers go out as unavailable, `xx`)
      c.ymmh = (await t.capabilities.ymmUpper?.get().catch(() => null)) ?? null;
    }
    return c.ymmh ?? undefined;
  }

  private regHex(regs: Registers, fp: Buffer | undefined, r: RegisterInfo, ymmh?: Buffer): string {
    const name = targetRegisterName(r.name);
    if (name) return leHex(regs[name], r.bitsize / 8);
    if (fp && isFpRegister(r.name)) return readFpRegister(fp, r.name).toString('hex');
    const y = ymmIndex(r.name);
    if (ymmh && y !== undefined) return ymmh.subarray(y * 16, y * 16 + 16).toString('hex');
    // registers the target cannot reach are "unavailable" (xx..), as gdbserver sends them
    return 'xx'.repeat(r.bitsize / 8);
  }

  async readAll(): Promise<string> {
    const regs = await this.registers();
    const fp = await this.fpArea();
    const ymmh = await this.ymmUpper();
    return AMD64_REGISTERS.map((r) => this.regHex(regs, fp, r, ymmh)).join('');
  }

  async writeAll(data: string): Promise<string> {
    if (data.length !== G_SIZE * 2) throw new PacketError(22, `G packet has ${data.length / 2} bytes, expected ${G_SIZE}`);
    const update: Partial<Registers> = {};
    let fp = await this.fpArea();
    const fpBefore = fp;
    const ymmBefore = await this.ymmUpper();
    const ymmh = ymmBefore && Buffer.from(ymmBefore);
    for (const r of AMD64_REGISTERS) {
      const name = targetRegisterName(r.name);
      const text = data.slice(r.offset * 2, r.offset * 2 + r.bitsize / 4);
      if (text.includes('x')) continue;
      const y = ymmIndex(r.name);
      if (name) update[name] = fromLeHex(text);
      else if (fp && isFpRegister(r.name)) fp = writeFpRegister(fp, r.name, fromHex(text));
      else if (ymmh && y !== undefined) fromHex(text).copy(ymmh, y * 16);
    }
    await this.target().setRegisters(update);
    if (fp && fpBefore && !fp.equals(fpBefore)) await this.target().capabilities.fpRegisters?.set(fp);
    if (ymmh && ymmBefore && !ymmh.equals(ymmBefore)) await this.target().capabilities.ymmUpper?.set(ymmh);
    this.invalidate();
    return 'OK';
  }

  async read(n: number): Promise<string> {
    const r = REG_BY_NUM.get(n);
    if (!r) throw new PacketError(22, `no register ${n}`);
    const fp = isFpRegister(r.name) ? await this.fpArea() : undefined;
    const ymmh = ymmIndex(r.name) !== undefined ? await this.ymmUpper() : undefined;
    return this.regHex(await this.registers(), fp, r, ymmh);
  }

  async write(arg: string): Promise<string> {
    const [num, value] = arg.split('=');
    const r = REG_BY_NUM.get(parseHexInt(num ?? ''));
    if (!r || value === undefined || value.length !== r.bitsize / 4) throw new PacketError(22, `bad P packet`);
    const name = targetRegisterName(r.name);
    if (!name && ymmIndex(r.name) !== undefined) return this.writeYmmUpper(r, value);
    if (!name) return this.writeFpRegister(r, value);
    await this.target().setRegisters({ [name]: fromLeHex(value) });
    this.invalidate();
    return 'OK';
  }

  /** `P` of an x87/SSE register: read-modify-write of the FXSAVE area. */
  private async writeFpRegister(r: RegisterInfo, value: string): Promise<string> {
    const t = this.target();
    const fp = isFpRegister(r.name) ? await this.fpArea() : undefined;
    const facet = t.capabilities.fpRegisters;
    if (!fp || !facet) throw new PacketError(95, `register ${r.name} cannot be written on this target`);
    await facet.set(writeFpRegister(fp, r.name, fromHex(value)));
    this.invalidate();
    return 'OK';
  }

  /** `P` of ymmNh: read-modify-write of the 16 upper halves. */
  private async writeYmmUpper(r: RegisterInfo, value: string): Promise<string> {
    const t = this.target();
    const now = await this.ymmUpper();
    const facet = t.capabilities.ymmUpper;
    if (!now || !facet) throw new PacketError(95, `register ${r.name} cannot be written on this target`);
    const upper = Buffer.from(now);
    fromHex(value).copy(upper, ymmIndex(r.name)! * 16);
    await facet.set(upper);
    this.invalidate();
    return 'OK';
  }
}
