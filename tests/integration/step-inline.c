/* step-inline.c - an inlined static function called in a loop, for the
 * optimized-stepping tests (built with gcc -g -O2 by step-optimized.test.ts). */
#include <stdio.h>

static int total;

static inline int scale(int v, int k)
{
	int r = v * k;

	if (r > 40)
		r -= 7;
	total += r;
	return r;
}

__attribute__((noinline)) int consume(int x)
{
	printf("%d\n", x);
	return x & 1;
}

int main(void)
{
	int odd = 0;

	for (int i = 0; i < 6; i++) {
		int s = scale(i, 13);

		odd += consume(s);
	}
	printf("total %d odd %d\n", total, odd);
	return 0;
}
