/*
 * threads: main starts NTHREADS pthreads running worker(id); each adds to a
 * shared counter under a mutex a few times and prints, main joins them and
 * prints the total. The workers start counting together, once all exist
 * (a barrier): at any stop in bump() there are NTHREADS + 1 threads. For the debugger's thread support (all-stop, `info
 * threads`, breakpoints and watchpoints hit in workers).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#define NTHREADS 3
#define ROUNDS 4

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_barrier_t start;
long counter;

/* One update of the shared counter (a place to break on in every thread). */
static void bump(int id, int round)
{
	pthread_mutex_lock(&lock);
	counter += id;
	printf("worker %d round %d counter %ld\n", id, round, counter);
	pthread_mutex_unlock(&lock);
}

static void *worker(void *arg)
{
	int id = (int)(long)arg;
	int round;

	pthread_barrier_wait(&start);
	for (round = 0; round < ROUNDS; round++)
		bump(id, round);
	return NULL;
}

/* main calls it once every worker exists (a place to break in main). */
void __attribute__((noinline)) all_started(void)
{
	__asm__ volatile("");
}

int main(void)
{
	pthread_t th[NTHREADS];
	long i;

	setvbuf(stdout, NULL, _IONBF, 0);
	pthread_barrier_init(&start, NULL, NTHREADS + 1);
	for (i = 0; i < NTHREADS; i++) {
		if (pthread_create(&th[i], NULL, worker, (void *)(i + 1)) != 0) {
			perror("pthread_create");
			return 1;
		}
	}
	all_started();
	pthread_barrier_wait(&start);
	for (i = 0; i < NTHREADS; i++)
		pthread_join(th[i], NULL);
	printf("all done: counter %ld\n", counter);
	return 0;
}
