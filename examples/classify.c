/* classify.c - one input, one verdict: the target of the rewind-and-retry
 * example (examples/tests/rewind-retry.tsdbg), which sets `input` from a
 * checkpoint at main and lets the program decide, five times in one process. */
#include <stdio.h>

int input = 5;
int calls;

static int classify(int n)
{
	calls++;
	if (n < 0)
		return -1;
	if (n == 0)
		return 0;
	return 1;
}

static void report(int verdict)
{
	printf("input %d: verdict %d\n", input, verdict);
	fflush(stdout);
}

int main(void)
{
	int verdict;

	printf("classify\n");      /* stdio's buffer is on the heap from here on */
	fflush(stdout);
	verdict = classify(input);  /* the rewind-and-retry example's checkpoint */

	printf("classified %d\n", input);
	fflush(stdout);
	report(verdict);
	return verdict < 0 ? 2 : 0;
}
