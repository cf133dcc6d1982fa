// SPDX-License-Identifier: GPL-2.0
/*
 * stress_cycle: loads and unloads a module many times in a row, for
 * tests/stress/stress.sh.
 *
 *   stress_cycle FILE.ko NAME COUNT [PARAMS]
 *
 * Each cycle is one finit_module(2) of FILE.ko (with the parameter string
 * PARAMS, such as "leak_bytes=64") and one delete_module(2) of NAME, the
 * system calls insmod and rmmod make, without starting two processes per
 * cycle. It prints "cycles=N ms=T" (T: the time the COUNT cycles took) and
 * exits 0, or prints the first failure with the system call, the cycle and
 * the errno, and exits 1.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

int main(int argc, char **argv)
{
	const char *params;
	double start;
	long count, i;
	int fd;

	if (argc < 4 || argc > 5) {
		fprintf(stderr, "usage: %s FILE.ko NAME COUNT [PARAMS]\n", argv[0]);
		return 2;
	}
	count = atol(argv[3]);
	params = argc == 5 ? argv[4] : "";
	fd = open(argv[1], O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		perror(argv[1]);
		return 1;
	}
	start = now_ms();
	for (i = 1; i <= count; i++) {
		if (syscall(SYS_finit_module, fd, params, 0)) {
			printf("cycle %ld: finit_module failed: %s\n", i, strerror(errno));
			return 1;
		}
		/* O_NONBLOCK: fail at once if the module is in use, as rmmod does. */
		if (syscall(SYS_delete_module, argv[2], O_NONBLOCK)) {
			printf("cycle %ld: delete_module failed: %s\n", i, strerror(errno));
			return 1;
		}
	}
	printf("cycles=%ld ms=%.0f\n", count, now_ms() - start);
	return 0;
}
