/*
 * syscall_loop N [PATH]: opens and reads PATH (when given) once, then makes
 * N getpid system calls. For `tsdbg trace` and bench/syscall: the calls a
 * seccomp filter lets through without a stop.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 1000, i, sum = 0;
	char buf[64];

	if (argc > 2) {
		int fd = open(argv[2], O_RDONLY);

		if (fd >= 0) {
			ssize_t r = read(fd, buf, sizeof(buf));

			if (r > 0 && write(1, buf, (size_t)r) < 0)
				return 2;
			close(fd);
		}
	}
	for (i = 0; i < n; i++)
		sum += syscall(SYS_getpid);
	printf("%ld getpid calls\n", n);
	return sum == 0;
}
