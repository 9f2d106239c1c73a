/*
 * A program with a big heap that writes one page of it between stops: the
 * checkpoint benchmark's subject (bench/checkpoint.ts) and the checkpoint
 * tests'. ckpt_heap [MiB [rounds]]: a heap of MiB MiB (default 64), every page
 * touched once; then each round writes one page and calls tick(), where the
 * debugger stops.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

unsigned char *heap;
size_t heap_len;
unsigned long checksum;

void __attribute__((noinline)) tick(unsigned long round)
{
	__asm__ volatile("" : : "r"(round) : "memory");
}

int main(int argc, char **argv)
{
	size_t mib = argc > 1 ? strtoul(argv[1], NULL, 10) : 64;
	unsigned long rounds = argc > 2 ? strtoul(argv[2], NULL, 10) : 1000;
	heap_len = mib << 20;
	heap = malloc(heap_len);
	if (!heap) return 1;
	memset(heap, 1, heap_len);
	for (unsigned long i = 0; i < rounds; i++) {
		heap[(i * 4096 * 7 + 100) % heap_len] += 1;
		tick(i);
	}
	for (size_t i = 0; i < heap_len; i += 4096) checksum += heap[i + 100];
	printf("checksum %lu\n", checksum);
	return 0;
}
