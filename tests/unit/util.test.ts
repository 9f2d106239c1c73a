import { describe, expect, it } from 'vitest';
import { hexByte, hexNumber, hexWord, hexWord16 } from '../../src/util/hex.js';
import { parseMaps } from '../../src/util/maps.js';
import { gdbToLinuxSignal, linuxSignalName, linuxToGdbSignal } from '../../src/rsp/signals.js';
import { signalNameOf, signalNumber } from '../../src/commands/signals.js';

describe('src/util/hex', () => {
  it('writes a 64-bit word as its two\'s complement, a number at its own width', () => {
    expect(hexWord(0x401136n)).toBe('0x401136');
    expect(hexWord(-1n)).toBe('0xffffffffffffffff');
    expect(hexWord16(0x401136n)).toBe('0x0000000000401136');
    expect(hexNumber(1n << 70n)).toBe('0x400000000000000000');
    expect(hexByte(10)).toBe('0a');
  });
});

describe('src/util/maps', () => {
  it('reads /proc/PID/maps lines and skips the rest', () => {
    const m = parseMaps('555555554000-555555555000 r-xp 00001000 fe:00 123   /bin/x\n\n');
    expect(m).toEqual([{ start: 0x555555554000n, end: 0x555555555000n, perms: 'r-xp', offset: 0x1000n, dev: 'fe:00', inode: 123, path: '/bin/x' }]);
  });
});

describe('one signal table', () => {
  // Linux x86-64 number, gdb's number (include/gdb/signals.def), name
  const LINUX: Array<[number, number, string]> = [
    [1, 1, 'SIGHUP'], [2, 2, 'SIGINT'], [3, 3, 'SIGQUIT'], [4, 4, 'SIGILL'], [5, 5, 'SIGTRAP'],
    [6, 6, 'SIGABRT'], [7, 10, 'SIGBUS'], [8, 8, 'SIGFPE'], [9, 9, 'SIGKILL'], [10, 30, 'SIGUSR1'],
    [11, 11, 'SIGSEGV'], [12, 31, 'SIGUSR2'], [13, 13, 'SIGPIPE'], [14, 14, 'SIGALRM'], [15, 15, 'SIGTERM'],
    [17, 20, 'SIGCHLD'], [18, 19, 'SIGCONT'], [19, 17, 'SIGSTOP'], [20, 18, 'SIGTSTP'], [21, 21, 'SIGTTIN'],
    [22, 22, 'SIGTTOU'], [23, 16, 'SIGURG'], [24, 24, 'SIGXCPU'], [25, 25, 'SIGXFSZ'], [26, 26, 'SIGVTALRM'],
    [27, 27, 'SIGPROF'], [28, 28, 'SIGWINCH'], [29, 23, 'SIGIO'], [30, 32, 'SIGPWR'], [31, 12, 'SIGSYS'],
  ];
  it('maps Linux and gdb numbers both ways and names them as gdb does', () => {
    for (const [linux, gdb, name] of LINUX) {
      expect([linuxToGdbSignal(linux), gdbToLinuxSignal(gdb), linuxSignalName(linux), signalNameOf(linux), signalNumber(name)])
        .toEqual([gdb, linux, name, name, linux]);
    }
    expect([linuxToGdbSignal(16), linuxSignalName(16)]).toEqual([143, '?']);   // SIGSTKFLT: no gdb name
    expect([linuxSignalName(32), linuxSignalName(34), linuxSignalName(64), linuxSignalName(65)]).toEqual(['SIG32', 'SIG34', 'SIG64', '?']);
    expect([gdbToLinuxSignal(7), gdbToLinuxSignal(33), signalNumber('SIGPOLL')]).toEqual([undefined, undefined, undefined]);   // SIGEMT, gdb's own SIGPOLL
  });
});
