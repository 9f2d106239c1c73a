/*
 * A system call made on a small stack in the program's data (not a stack
 * tsdbg may write below): openat(argv[1]) with the stack pointer at the
 * end of `area.stack`, right after `area.guard`. Prints the file's first
 * line, whether the guard bytes are intact and whether the program has as
 * many mappings after the call as before it.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static struct {
	char guard[512];
	char stack[64];
} __attribute__((aligned(16))) area = { .guard = "guard" };

static int mappings(void)
{
	FILE *f = fopen("/proc/self/maps", "r");
	int n = 0, c;

	while ((c = fgetc(f)) != EOF)
		n += c == '\n';
	fclose(f);
	return n;
}

int main(int argc, char **argv)
{
	char line[256] = "";
	long fd;
	char guard[512];
	int before;

	if (argc < 2)
		return 2;
	memcpy(guard, area.guard, sizeof guard);
	before = mappings();
	__asm__ volatile(
		"mov %%rsp, %%r12\n\t"
		"mov %[top], %%rsp\n\t"
		"syscall\n\t"
		"mov %%r12, %%rsp"
		: "=a"(fd)
		: "a"(257L), "D"(-100L), "S"(argv[1]), "d"(0L), [top] "r"(area.stack + sizeof area.stack)
		: "rcx", "r11", "r12", "memory");
	int after = mappings();
	if (fd < 0) {
		printf("openat failed: %ld\n", fd);
		return 1;
	}
	ssize_t n = read((int)fd, line, sizeof line - 1);
	line[n > 0 ? n : 0] = 0;
	line[strcspn(line, "\n")] = 0;
	printf("line: %s\n", line);
	printf("guard: %s\n", memcmp(guard, area.guard, sizeof guard) ? "changed" : "intact");
	printf("mappings: %s\n", before == after ? "same" : "differ");
	return 0;
}
