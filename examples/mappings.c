/* mappings.c - changes its memory map step by step: mmap'd regions and brk
 * growth, each step in its own function so a debugger can stop between them. */
#define _DEFAULT_SOURCE
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define REGION (64 * 1024)

char *regions[3];
char *brk_area;

void map_regions(void)
{
	for (int i = 0; i < 3; i++) {
		regions[i] = mmap(NULL, REGION, PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (regions[i] == MAP_FAILED) {
			perror("mmap");
			return;
		}
		memset(regions[i], 'a' + i, REGION);
	}
}

void grow_brk(void)
{
	brk_area = sbrk(256 * 1024);
	if (brk_area == (void *)-1) {
		perror("sbrk");
		return;
	}
	memset(brk_area, 'z', 256 * 1024);
}

void unmap_one(void)
{
	munmap(regions[1], REGION);
	regions[1] = NULL;
}

void report(const char *stage)
{
	printf("%s: r0=%c r2=%c brk=%p\n", stage, regions[0] ? regions[0][0] : '-',
	       regions[2] ? regions[2][0] : '-', (void *)sbrk(0));
	fflush(stdout);
}

int main(void)
{
	report("start");
	map_regions();
	report("mapped");
	grow_brk();
	report("brk");
	unmap_one();
	report("unmapped");
	return 0;
}
