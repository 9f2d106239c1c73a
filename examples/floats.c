/*
 * Floating-point and SSE registers for the debugger to read and write:
 * float, double and long double (x87) arithmetic in a loop, SSE work the
 * compiler keeps in xmm registers, and at -O2 (bin/floats_o2) a function
 * whose double argument and local live only in xmm registers.
 */
#include <stdio.h>

/* At -O2, x, factor and y never touch memory: they live in xmm0/xmm1. */
__attribute__((noinline)) double scale(double x, double factor)
{
	double y = x * factor + 0.25;
	return y / 2.0;
}

/* Prints its argument: set $xmm0 at `break *report` and the program prints the new value. */
__attribute__((noinline)) void report(double v)
{
	printf("report %.17g\n", v);
}

/* y += a * x, packed single precision at -O2. */
__attribute__((noinline)) void axpy(float *y, const float *x, float a, int n)
{
	for (int i = 0; i < n; i++)
		y[i] += a * x[i];
}

int main(void)
{
	float xs[8] = { 1, 2, 3, 4, 5, 6, 7, 8 }, ys[8] = { 0 };
	float f = 1.5f;
	double d = 0.1;
	long double ld = 1.0L / 3;

	for (int i = 0; i < 4; i++) {
		f = f * 2.0f + 0.5f;
		d = scale(d, 1.5 + i);
		ld = ld * 3 + 0.5L;
		axpy(ys, xs, f, 8);
		report(d);
	}
	printf("%g %.17g %Lg %g\n", f, d, ld, ys[7]);
	return 0;
}
