// SPDX-License-Identifier: GPL-2.0
/*
 * chardev_bench: how fast character devices serve read() or write() calls
 * of one size, timed in the guest with the monotonic clock. make bench runs
 * it on /dev/rust_chardev and /dev/c_chardev together.
 *
 *   chardev_bench read|write SIZE MILLISECONDS DEVICE...
 *
 * Every call is pread()/pwrite() at offset 0, so no lseek() is timed, and
 * each moves min(SIZE, 4096) bytes: the devices hold 4096 bytes (a read
 * returns the data there is, a write stores what fits), and a call that
 * moves any other number of bytes is an error. The devices are filled
 * first, so reads find data.
 *
 * The devices take turns in short slices of the same number of calls (about
 * 2 ms each), the order rotating from one turn to the next, until
 * MILLISECONDS have passed. Anything else the machine does (the host of an
 * emulated guest is rarely idle) then falls on every device alike, and the
 * median slice of each shrugs off the turns it disturbed. One line per
 * device:
 *
 *   <device> <slices> <calls per slice> <bytes per call> <median slice ns>
 *
 * It exits non-zero if a call fails or moves no bytes.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define CAPACITY 4096
#define MAX_DEVICES 4
#define MAX_SLICES 4096
#define SLICE_NS 2000000LL

static char buf[1 << 16];
static long long slice_ns[MAX_DEVICES][MAX_SLICES];

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Makes @calls calls on @fd, each of which must move @expect bytes. */
static void run_calls(int fd, int writing, size_t size, ssize_t expect, long calls)
{
	ssize_t got;

	while (calls-- > 0) {
		got = writing ? pwrite(fd, buf, size, 0) : pread(fd, buf, size, 0);
		if (got != expect) {
			fprintf(stderr, "chardev_bench: %s of %zu bytes returned %zd (%s)\n",
				writing ? "write" : "read", size, got,
				got < 0 ? strerror(errno) : "wrong count");
			exit(1);
		}
	}
}

static int compare(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	int fd[MAX_DEVICES], ndev = argc - 4, writing, d, turn;
	long long start, limit, t;
	ssize_t expect;
	long calls;
	size_t size;

	if (argc < 5 || ndev > MAX_DEVICES || (strcmp(argv[1], "read") && strcmp(argv[1], "write"))) {
		fprintf(stderr, "usage: %s read|write SIZE MILLISECONDS DEVICE...\n", argv[0]);
		return 2;
	}
	writing = !strcmp(argv[1], "write");
	size = strtoul(argv[2], NULL, 0);
	limit = atoll(argv[3]) * 1000000LL;
	if (size == 0 || size > sizeof(buf) || limit <= 0) {
		fprintf(stderr, "chardev_bench: SIZE must be 1 to %zu, MILLISECONDS > 0\n", sizeof(buf));
		return 2;
	}
	expect = size < CAPACITY ? size : CAPACITY;
	memset(buf, 'x', sizeof(buf));
	for (d = 0; d < ndev; d++) {
		fd[d] = open(argv[4 + d], O_RDWR);
		if (fd[d] < 0) {
			perror(argv[4 + d]);
			return 1;
		}
		if (pwrite(fd[d], buf, CAPACITY, 0) != CAPACITY) {
			perror("chardev_bench: filling the device");
			return 1;
		}
		run_calls(fd[d], writing, size, expect, 64);	/* warm-up */
	}

	/* Calls per slice: what the first device does in about SLICE_NS. */
	for (calls = 16;; calls *= 2) {
		t = now_ns();
		run_calls(fd[0], writing, size, expect, calls);
		t = now_ns() - t;
		if (t >= SLICE_NS / 2 || calls >= 1L << 20)
			break;
	}
	calls = calls * SLICE_NS / (t > 0 ? t : 1);
	if (calls < 1)
		calls = 1;

	start = now_ns();
	for (turn = 0; turn < MAX_SLICES && (turn < 3 || now_ns() - start < limit); turn++) {
		for (d = 0; d < ndev; d++) {
			int dev = (d + turn) % ndev;

			t = now_ns();
			run_calls(fd[dev], writing, size, expect, calls);
			slice_ns[dev][turn] = now_ns() - t;
		}
	}
	for (d = 0; d < ndev; d++) {
		qsort(slice_ns[d], turn, sizeof(slice_ns[d][0]), compare);
		printf("%s %d %ld %zd %lld\n", argv[4 + d], turn, calls, expect, slice_ns[d][turn / 2]);
		close(fd[d]);
	}
	return 0;
}
