/* crash.c - dereferences NULL: the program stops with SIGSEGV. */
#include <stdio.h>

struct config {
	int verbose;
};

int read_verbose(struct config *c)
{
	return c->verbose;	/* c is NULL */
}

int main(void)
{
	struct config *cfg = NULL;

	printf("about to crash\n");
	fflush(stdout);
	return read_verbose(cfg);
}
