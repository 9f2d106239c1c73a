/* linked_list.c - a singly linked list built on the heap.
 *
 * The main example of the README: break on print_list, take a snapshot of
 * the heap, let the program mutate the nodes, then diff or restore it.
 */
#include <stdio.h>
#include <stdlib.h>

struct node {
	long value;
	struct node *next;
};

static struct node *head;

struct node *push(struct node *list, long value)
{
	struct node *n = malloc(sizeof(*n));

	if (!n) {
		perror("malloc");
		exit(1);
	}
	n->value = value;
	n->next = list;
	return n;
}

long sum_list(const struct node *n)
{
	long sum = 0;

	for (; n; n = n->next)
		sum += n->value;
	return sum;
}

void print_list(int round, const struct node *n)
{
	printf("round %d:", round);
	for (; n; n = n->next)
		printf(" %ld", n->value);
	printf(" (sum %ld)\n", sum_list(head));
	fflush(stdout);
}

void double_values(struct node *n)
{
	for (; n; n = n->next)
		n->value *= 2;
}

int main(void)
{
	int round;

	for (long v = 1; v <= 5; v++)
		head = push(head, v);
	for (round = 0; round < 4; round++) {
		print_list(round, head);
		double_values(head);
	}
	while (head) {
		struct node *next = head->next;

		free(head);
		head = next;
	}
	return 0;
}
