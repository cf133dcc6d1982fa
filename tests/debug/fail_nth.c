// SPDX-License-Identifier: GPL-2.0
/*
 * fail_nth: make each kernel slab allocation of one operation fail in turn.
 *
 *   fail_nth load MODULE.ko [PARAMS]   finit_module, then delete_module if it loaded
 *   fail_nth open PATH                 open for reading and writing, close
 *   fail_nth read PATH                 open, read to the end, close
 *   fail_nth write PATH TEXT           open, write TEXT, close
 *
 * Runs on a kernel with CONFIG_FAILSLAB (make test-debug's). Writing N to
 * /proc/thread-self/fail-nth makes the N-th allocation this thread makes
 * from then on fail; reading it back gives 0 once that has happened. So for
 * N = 1, 2, ... the operation runs with its N-th allocation failing, in the
 * kernel's code and the module's C and Rust alike, until an operation makes
 * fewer than N allocations. Every run must either succeed or fail with
 * ENOMEM; a failed load must leave no module behind.
 *
 * Prints one line, "<op> <path>: N allocations failed in turn: A ENOMEM, B coped",
 * and one line per run that ended otherwise; exits 1 if there was one.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

/* More allocations than any operation here makes: the loop ends well before. */
#define MAX_RUNS 5000

static int fail_nth_fd;

static void arm(int n)
{
	char text[16];
	int len = snprintf(text, sizeof(text), "%d", n);

	if (pwrite(fail_nth_fd, text, len, 0) != len) {
		perror("fail_nth: write /proc/thread-self/fail-nth");
		exit(2);
	}
}

/* Disarms and returns whether the armed failure happened. */
static int fired(void)
{
	char text[16] = "";
	int fired;

	if (pread(fail_nth_fd, text, sizeof(text) - 1, 0) <= 0) {
		perror("fail_nth: read /proc/thread-self/fail-nth");
		exit(2);
	}
	fired = atoi(text) == 0;
	arm(0);
	return fired;
}

/* The operations: 0 on success, else the errno of the first failing call. */

static const char *module_path, *module_params, *module_name;

static int load(void)
{
	int fd = open(module_path, O_RDONLY | O_CLOEXEC);
	int err = 0;

	if (fd < 0)
		return errno;
	if (syscall(SYS_finit_module, fd, module_params, 0) != 0)
		err = errno;
	close(fd);
	return err;
}

static const char *file_path, *file_text;

static int open_close(void)
{
	int fd = open(file_path, O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

static int read_all(void)
{
	char buf[4096];
	ssize_t got;
	int fd = open(file_path, O_RDONLY | O_CLOEXEC);
	int err = 0;

	if (fd < 0)
		return errno;
	while ((got = read(fd, buf, sizeof(buf))) > 0)
		;
	if (got < 0)
		err = errno;
	close(fd);
	return err;
}

static int write_text(void)
{
	int fd = open(file_path, O_WRONLY | O_CLOEXEC);
	size_t len = strlen(file_text);
	int err = 0;

	if (fd < 0)
		return errno;
	if (write(fd, file_text, len) != (ssize_t)len)
		err = errno ? errno : EIO;
	close(fd);
	return err;
}

/* After each run, with nothing armed: unload what loaded, check nothing stayed. */
static int after_load(int err)
{
	if (err == 0) {
		if (syscall(SYS_delete_module, module_name, O_NONBLOCK) != 0) {
			printf("    %s loaded but did not unload: %s\n", module_name, strerror(errno));
			return 1;
		}
		return 0;
	}
	if (syscall(SYS_delete_module, module_name, O_NONBLOCK) == 0 || errno != ENOENT) {
		printf("    a failed load of %s left the module behind\n", module_name);
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	int (*op)(void);
	const char *what;
	int n, err, enomem = 0, coped = 0, wrong = 0;
	static char name[256];

	if (argc >= 3 && !strcmp(argv[1], "load")) {
		module_path = argv[2];
		module_params = argc > 3 ? argv[3] : "";
		snprintf(name, sizeof(name), "%s", basename(argv[2]));
		name[strcspn(name, ".")] = '\0';
		module_name = name;
		what = module_path;
		op = load;
	} else if (argc == 3 && !strcmp(argv[1], "open")) {
		file_path = what = argv[2];
		op = open_close;
	} else if (argc == 3 && !strcmp(argv[1], "read")) {
		file_path = what = argv[2];
		op = read_all;
	} else if (argc == 4 && !strcmp(argv[1], "write")) {
		file_path = what = argv[2];
		file_text = argv[3];
		op = write_text;
	} else {
		fprintf(stderr, "usage: fail_nth load MODULE.ko [PARAMS] | open PATH | read PATH | write PATH TEXT\n");
		return 2;
	}

	fail_nth_fd = open("/proc/thread-self/fail-nth", O_RDWR | O_CLOEXEC);
	if (fail_nth_fd < 0) {
		perror("fail_nth: /proc/thread-self/fail-nth (needs CONFIG_FAULT_INJECTION)");
		return 2;
	}

	for (n = 1; n <= MAX_RUNS; n++) {
		arm(n);
		err = op();
		if (!fired()) {
			/* The operation made fewer than n allocations: all were tried. */
			if (err != 0) {
				printf("    with no failure injected it failed: %s\n", strerror(err));
				wrong++;
			}
			if (op == load)
				wrong += after_load(err);
			break;
		}
		if (err == 0)
			coped++;
		else if (err == ENOMEM)
			enomem++;
		else {
			printf("    allocation %d failing made it fail with %s, not ENOMEM\n", n, strerror(err));
			wrong++;
		}
		if (op == load)
			wrong += after_load(err);
	}
	if (n > MAX_RUNS) {
		printf("    still failing allocations after %d runs\n", MAX_RUNS);
		wrong++;
	}
	printf("%s %s: %d allocations failed in turn: %d ENOMEM, %d coped\n", argv[1], what, n - 1, enomem,
	       coped);
	return wrong ? 1 : 0;
}
