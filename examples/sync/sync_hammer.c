// SPDX-License-Identifier: GPL-2.0
/*
 * sync_hammer: many processes write numbers to /dev/rust_sync at once, for
 * examples/sync/test.sh.
 *
 *   sync_hammer PROCESSES WRITES
 *
 * Each of PROCESSES children opens the device and writes the numbers 1 to
 * WRITES, one write(2) each. They all start at the same moment, so they
 * overlap on every CPU. When all are done, it prints what the device reads
 * ("total count atomic") and the line that no lost update would give. It
 * exits non-zero if a write failed.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define DEVICE "/dev/rust_sync"

/*
 * One child's work: wait for the start (the parent closing the pipe), then
 * WRITES writes, each of one number.
 */
static int child(int start, long writes)
{
	char text[32];
	long i;
	int fd = open(DEVICE, O_WRONLY);

	if (fd < 0) {
		perror(DEVICE);
		return 1;
	}
	if (read(start, text, 1) != 0) {
		perror("read start pipe");
		return 1;
	}
	for (i = 1; i <= writes; i++) {
		int len = snprintf(text, sizeof(text), "%ld\n", i);

		if (write(fd, text, len) != len) {
			fprintf(stderr, "write %ld: %s\n", i, strerror(errno));
			return 1;
		}
	}
	return close(fd) ? 1 : 0;
}

int main(int argc, char **argv)
{
	long processes, writes, i;
	unsigned long long per_child;
	char totals[128];
	int failed = 0, status, fd, start[2];
	ssize_t len;

	if (argc != 3) {
		fprintf(stderr, "usage: %s PROCESSES WRITES\n", argv[0]);
		return 2;
	}
	processes = atol(argv[1]);
	writes = atol(argv[2]);
	if (pipe(start)) {
		perror("pipe");
		return 1;
	}

	for (i = 0; i < processes; i++) {
		pid_t pid = fork();

		if (pid < 0) {
			perror("fork");
			return 1;
		}
		if (pid == 0) {
			close(start[1]);
			_exit(child(start[0], writes));
		}
	}
	/* Every child is waiting in read(): end of file starts them all. */
	close(start[1]);
	while (wait(&status) > 0)
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
			failed = 1;

	fd = open(DEVICE, O_RDONLY);
	if (fd < 0) {
		perror(DEVICE);
		return 1;
	}
	len = read(fd, totals, sizeof(totals) - 1);
	if (len < 0) {
		perror("read");
		return 1;
	}
	totals[len] = '\0';
	close(fd);

	per_child = (unsigned long long)writes * (writes + 1) / 2;
	printf("device:   %s", totals);
	printf("expected: %llu %llu %llu\n", per_child * processes,
	       (unsigned long long)processes * writes, per_child * processes);
	return failed;
}
