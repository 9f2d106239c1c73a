/* struct_loop.c - a global struct mutated in a loop, printed each iteration. */
#include <stdio.h>
#include <string.h>

struct point {
	int x;
	int y;
	long steps;
	char tag[8];
};

struct point pt = { 1, 2, 0, "start" };
int counter;

void tick(struct point *p)
{
	p->x += 1;
	p->y *= 2;
	p->steps++;
	counter++;
}

int main(void)
{
	for (int i = 0; i < 10; i++) {
		tick(&pt);
		if (i == 4)
			strcpy(pt.tag, "half");
		printf("iter %d: x=%d y=%d steps=%ld tag=%s\n", i, pt.x, pt.y, pt.steps, pt.tag);
		fflush(stdout);
	}
	return 0;
}
