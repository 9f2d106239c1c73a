/* heap_bug.c - an off-by-one on the heap: the walkthrough of the full-screen
 * UI (README, "Debugging a heap bug in the UI").
 *
 * Each player lives in a malloc'd node. push() sets the score, then copies
 * the name with strcpy(): "lovelace" has 8 letters and its terminating NUL
 * is the 9th byte, one past name[8], so it lands on the low byte of the
 * neighbouring field, score (1815 = 0x717 becomes 0x700 = 1792). The total
 * comes out 23 short and the program exits with status 1; with the score
 * put back (`set var p->score = 1815` after the strcpy) it exits 0.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct player {
	char name[8];
	long score;
	struct player *next;
};

struct player *push(struct player *list, const char *name, long score)
{
	struct player *p = malloc(sizeof(*p));

	if (!p) {
		perror("malloc");
		exit(1);
	}
	p->score = score;
	p->next = list;
	strcpy(p->name, name);	/* the bug: no room for the NUL of an 8-letter name */
	return p;
}

long total(const struct player *p)
{
	long sum = 0;

	for (; p; p = p->next)
		sum += p->score;
	return sum;
}

int main(void)
{
	static const char *const names[] = { "ada", "grace", "lovelace", "hopper" };
	static const long scores[] = { 120, 340, 1815, 77 };
	struct player *list = NULL;
	long expected = 0, sum;

	for (int i = 0; i < 4; i++) {
		list = push(list, names[i], scores[i]);
		expected += scores[i];
	}
	for (const struct player *p = list; p; p = p->next)
		printf("%-8.8s %5ld\n", p->name, p->score);
	sum = total(list);
	printf("total %ld, expected %ld\n", sum, expected);
	while (list) {
		struct player *next = list->next;

		free(list);
		list = next;
	}
	return sum == expected ? 0 : 1;
}
