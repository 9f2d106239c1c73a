/* Edge cases of thread debugging, one per argv[1]; built by threads-edge.test.ts. */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

volatile long spins[3];
volatile int got;

void marker(void) { }

/* 20 ms asleep in thread 1, nothing in the others. */
void slow(long n)
{
	if (n > 1)
		usleep((useconds_t)n);
}

static void *spinner(void *arg)
{
	long id = (long)arg;

	for (;;) {
		spins[id]++;
		marker();
		slow(id == 1 ? 20000 : 1);
	}
	return NULL;
}

static void *late(void *arg)
{
	(void)arg;
	usleep(50000);
	marker();
	exit(7);
}

static void *execer(void *arg)
{
	(void)arg;
	execl("/bin/true", "true", (char *)NULL);
	return NULL;
}

static void on_usr1(int sig) { (void)sig; got++; }

static void *signaller(void *arg)
{
	(void)arg;
	pthread_kill(pthread_self(), SIGUSR1);
	return NULL;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";
	pthread_t th[2];

	if (!strcmp(mode, "spin")) {
		pthread_create(&th[0], NULL, spinner, (void *)1L);
		pthread_create(&th[1], NULL, spinner, (void *)2L);
		spinner((void *)0L);
	} else if (!strcmp(mode, "mainexit")) {
		pthread_create(&th[0], NULL, late, NULL);
		pthread_exit(NULL);
	} else if (!strcmp(mode, "exec")) {
		pthread_create(&th[0], NULL, execer, NULL);
		pthread_join(th[0], NULL);
	} else if (!strcmp(mode, "nap")) {
		/* main sleeps 700 ms while a worker spins */
		pthread_create(&th[0], NULL, spinner, (void *)2L);
		usleep(700000);
		return 0;
	} else if (!strcmp(mode, "signal")) {
		signal(SIGUSR1, on_usr1);
		pthread_create(&th[0], NULL, signaller, NULL);
		pthread_join(th[0], NULL);
		return got;
	}
	return 1;
}
