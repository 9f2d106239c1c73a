/* annotated.c - expectations in the source, Dexter-style: each
 * "tsdbg: expect" comment is checked every time its line is about to run.
 * Run it with:  npx tsdbg test --source examples/tests/annotated.c
 * The program (relative to this file's folder): */
// tsdbg: file ../bin/annotated
#include <stdio.h>

struct node {
	int v;
	struct node *next;
};

static int sum(const struct node *n)
{
	int total = 0;

	for (; n; n = n->next)
		total += n->v;      // tsdbg: expect n->v > 0
	return total;           // tsdbg: expect total == 6
}

int main(void)
{
	struct node c = { 3, 0 }, b = { 2, &c }, a = { 1, &b };
	const char *name = "list";

	printf("%s: %d\n", name, sum(&a));   // tsdbg: expect a.next->next->v == 3
	fflush(stdout);
	return 0;                            // tsdbg: expect name == "list"
}
