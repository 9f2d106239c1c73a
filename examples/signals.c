/* signals.c - installs a SIGUSR1 handler and raises the signal three times. */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t hits;

void on_usr1(int sig)
{
	(void)sig;
	hits++;
}

int main(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1;
	sigaction(SIGUSR1, &sa, NULL);
	for (int i = 0; i < 3; i++) {
		raise(SIGUSR1);
		printf("handler ran %d times\n", (int)hits);
		fflush(stdout);
	}
	return 0;
}
