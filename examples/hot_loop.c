/* hot_loop.c - calls step() N times (argv[1], default 1000): the benchmark's
 * target for breakpoint hits and single steps. */
#include <stdio.h>
#include <stdlib.h>

volatile long total;

void step(long i)
{
	total += i;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 1000;

	for (long i = 0; i < n; i++)
		step(i);
	printf("total %ld\n", total);
	return 0;
}
