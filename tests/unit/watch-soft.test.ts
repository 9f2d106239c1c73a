/**
 * Which instructions a software watchpoint compares the watched value after:
 * those that can change memory (iced-x86 decodes the real encodings).
 */
import { describe, expect, it } from 'vitest';
import { mayChangeMemory } from '../../src/commands/watch-soft.js';

const at = (hex: string) => mayChangeMemory(Buffer.from(hex.replace(/ /g, ''), 'hex'), 0x401000n);

describe('software watchpoints: instructions that may change memory', () => {
  it('stores, pushes, calls, string stores and system calls may; loads, register arithmetic and ret may not', () => {
    expect(at('48 89 45 f8')).toBe(true);        // mov %rax,-0x8(%rbp)
    expect(at('83 05 fc 2e 00 00 01')).toBe(true); // addl $0x1,0x2efc(%rip)
    expect(at('55')).toBe(true);                 // push %rbp
    expect(at('e8 00 00 00 00')).toBe(true);     // call (the return address)
    expect(at('f3 48 ab')).toBe(true);           // rep stos %rax,%es:(%rdi)
    expect(at('0f 05')).toBe(true);              // syscall: the kernel may write
    expect(at('48 8b 45 f8')).toBe(false);       // mov -0x8(%rbp),%rax
    expect(at('48 01 d8')).toBe(false);          // add %rbx,%rax
    expect(at('c3')).toBe(false);                // ret
    expect(at('48 8d 45 f8')).toBe(false);       // lea: no memory access
  });

  it('what cannot be decoded counts as a write', () => {
    expect(mayChangeMemory(Buffer.alloc(0), 0n)).toBe(true);
    expect(mayChangeMemory(undefined, 0n)).toBe(true);
    expect(at('06')).toBe(true);                 // push %es: invalid in 64-bit mode
  });
});
