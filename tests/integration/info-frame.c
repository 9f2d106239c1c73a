/* info-frame.c - frames for the `info frame` comparison with gdb
 * (built with gcc -g -O2 and -O0 by info-frame.test.ts): a real function
 * called from an inlined one (an inline frame above a real frame), and a
 * function that saves several callee-saved registers. */
#include <stdio.h>
#include <stdlib.h>

static volatile long sink;

__attribute__((noinline)) long leaf(long a, long b)
{
	sink = a;
	return a * b + sink;
}

static inline long middle(long x)
{
	long r = leaf(x, x + 1);

	return r + 3;
}

__attribute__((noinline)) long heavy(long a, long b, long c)
{
	long s = 0;

	for (long i = 0; i < a; i++)
		s += leaf(i + b, s ^ c) + middle(i * c + b);
	return s;
}

int main(int argc, char **argv)
{
	long n = argc + 2;
	long t = middle(n);

	t += heavy(n, t, strtol(argc > 1 ? argv[1] : "5", NULL, 0));
	printf("%ld\n", t);
	return 0;
}
