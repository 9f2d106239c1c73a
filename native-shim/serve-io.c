/* SPDX-License-Identifier: MIT */
/*
 * tsdbg serve's socket side in C (issue 16 part 4): the replies gdb waits
 * for go out whole, without a trip through the event loop, and the large
 * ones (m: up to 128 KiB of hex) are framed in one reused buffer instead of
 * three short-lived JavaScript copies (each of which V8 and malloc map and
 * unmap at that size).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <time.h>
#include <unistd.h>

static int64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/*
 * Write all of buf to fd (non-blocking or not): what the socket does not
 * take at once waits in ppoll for room, up to block_ns in all, as gdbserver
 * blocks in write. The bytes written (less than len when the peer did not
 * read in time: the caller queues the rest), or -errno when none could be.
 */
long tsdbg_write_wait(int fd, const void *buf, long len, int64_t block_ns)
{
	const char *p = buf;
	int64_t deadline = mono_ns() + block_ns;
	long done = 0;

	while (done < len) {
		ssize_t n = write(fd, p + done, (size_t)(len - done));
		if (n > 0) {
			done += n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno != EAGAIN)
			return done ? done : -errno;
		/* full: sleep until gdb has read some, or the time is up */
		int64_t left = deadline - mono_ns();
		if (left <= 0)
			return done;
		struct pollfd pfd = { .fd = fd, .events = POLLOUT };
		struct timespec ts = { .tv_sec = left / 1000000000, .tv_nsec = left % 1000000000 };
		int r = ppoll(&pfd, 1, &ts, NULL);
		if (r < 0 && errno != EINTR)
			return done ? done : -errno;
		if (r > 0 && (pfd.revents & (POLLERR | POLLHUP | POLLNVAL)) && !(pfd.revents & POLLOUT))
			return done ? done : -EPIPE;
	}
	return done;
}

/*
 * Frame len bytes of src as an RSP packet of their hex digits:
 * '$' hex '#' checksum into out (room for 2 * len + 4 bytes). The packet's length.
 */
long tsdbg_frame_hex(const void *src, long len, void *out)
{
	static const char digits[] = "0123456789abcdef";
	const unsigned char *s = src;
	unsigned char *o = out;
	unsigned sum = 0;
	long i;

	*o++ = '$';
	for (i = 0; i < len; i++) {
		unsigned char hi = (unsigned char)digits[s[i] >> 4], lo = (unsigned char)digits[s[i] & 15];
		*o++ = hi;
		*o++ = lo;
		sum += hi + lo;
	}
	*o++ = '#';
	*o++ = (unsigned char)digits[(sum >> 4) & 15];
	*o++ = (unsigned char)digits[sum & 15];
	return 2 * len + 4;
}
