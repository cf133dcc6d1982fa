// SPDX-License-Identifier: GPL-2.0
/*
 * edu_ctl: drives /dev/rust_edu (examples/edu/edu.rs) with its ioctl
 * commands, for examples/edu/test.sh.
 *
 *   edu_ctl OP...
 *
 * OP is one of
 *   id            EDU_IOC_ID; prints "id=0x010000ed"
 *   live:V        EDU_IOC_LIVENESS with V; prints "live=0x..." (what the device read back)
 *   fact:N        EDU_IOC_FACTORIAL; prints "fact=N!" (32 bits, as the device computes it)
 *   fact-bad      EDU_IOC_FACTORIAL with the address 1
 *   irqs          EDU_IOC_IRQS; prints "irqs=COUNT"
 *   unknown       a command number the driver does not define
 *   storm:P:N     P processes, each N factorials of 0..12 on its own open file, each result
 *                 checked against 32-bit wrapping arithmetic; prints "storm=ok" or
 *                 "storm=FAILED" with the first wrong result on stderr
 *   hold          keeps the device open until stdin closes (prints "hold=open" first)
 *   read-signal   a read(2) of 4095 bytes that a signal (SIGALRM, 20 ms in, no
 *                 SA_RESTART) interrupts while the device copies: "read-signal=EINTR"
 *
 * Each OP prints "NAME=VALUE" or the errno's name: "fact=EFAULT".
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/ioctl.h>
#include <linux/types.h>

#define EDU_IOC_ID		_IOR('E', 1, __u32)
#define EDU_IOC_LIVENESS	_IOWR('E', 2, __u32)
#define EDU_IOC_FACTORIAL	_IOWR('E', 3, __u32)
#define EDU_IOC_IRQS		_IOR('E', 4, __u64)

static const char *device = "/dev/rust_edu";

static const char *errno_name(int err)
{
	switch (err) {
	case EFAULT: return "EFAULT";
	case EINTR: return "EINTR";
	case EINVAL: return "EINVAL";
	case ENODEV: return "ENODEV";
	case ENOTTY: return "ENOTTY";
	case ETIMEDOUT: return "ETIMEDOUT";
	default: return strerror(err);
	}
}

static int ok(const char *name, long ret)
{
	printf("%s=", name);
	if (ret < 0) {
		printf("%s", errno_name(errno));
		return 0;
	}
	return 1;
}

static __u32 factorial(__u32 n)
{
	__u32 r = 1;

	while (n > 0)
		r *= n--;
	return r;
}

/* One storm process: @count factorials on a file of its own. */
static int storm_worker(int id, int count)
{
	int fd = open(device, O_RDWR);
	int i;

	if (fd < 0) {
		perror("storm: open");
		return 1;
	}
	for (i = 0; i < count; i++) {
		__u32 n = (id * 7 + i) % 13, v = n;

		if (ioctl(fd, EDU_IOC_FACTORIAL, &v) < 0) {
			fprintf(stderr, "storm %d: fact:%u: %s\n", id, n, errno_name(errno));
			return 1;
		}
		if (v != factorial(n)) {
			fprintf(stderr, "storm %d: fact:%u gave %u, not %u\n", id, n, v, factorial(n));
			return 1;
		}
	}
	close(fd);
	return 0;
}

static void storm(int procs, int count)
{
	int i, status, failed = 0;

	fflush(stdout);
	for (i = 0; i < procs; i++) {
		pid_t pid = fork();

		if (pid == 0)
			_exit(storm_worker(i, count));
		if (pid < 0)
			failed = 1;
	}
	while (wait(&status) > 0)
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
			failed = 1;
	printf("storm=%s", failed ? "FAILED" : "ok");
}

static void on_alarm(int sig)
{
	(void)sig;
}

/* read(2) with SIGALRM arriving 20 ms in; prints its result. */
static void read_signal(int fd)
{
	static char buf[4095];
	struct sigaction sa = { .sa_handler = on_alarm };	/* no SA_RESTART */
	struct itimerval in20ms = { .it_value = { .tv_usec = 20000 } };

	sigaction(SIGALRM, &sa, NULL);
	setitimer(ITIMER_REAL, &in20ms, NULL);
	if (ok("read-signal", pread(fd, buf, sizeof(buf), 0)))
		printf("completed");
}

static void run(int fd, const char *op)
{
	const char *num = strchr(op, ':');
	unsigned long n = num ? strtoul(num + 1, NULL, 0) : 0;
	__u32 v = n;
	__u64 count;
	char c;

	if (!strcmp(op, "id")) {
		if (ok("id", ioctl(fd, EDU_IOC_ID, &v)))
			printf("0x%08x", v);
	} else if (!strncmp(op, "live:", 5)) {
		if (ok("live", ioctl(fd, EDU_IOC_LIVENESS, &v)))
			printf("0x%08x", v);
	} else if (!strncmp(op, "fact:", 5)) {
		if (ok("fact", ioctl(fd, EDU_IOC_FACTORIAL, &v)))
			printf("%u", v);
	} else if (!strcmp(op, "fact-bad")) {
		ok("fact", ioctl(fd, EDU_IOC_FACTORIAL, (void *)1));
	} else if (!strcmp(op, "irqs")) {
		if (ok("irqs", ioctl(fd, EDU_IOC_IRQS, &count)))
			printf("%" PRIu64, (uint64_t)count);
	} else if (!strcmp(op, "unknown")) {
		ok("unknown", ioctl(fd, _IO('E', 99)));
	} else if (!strncmp(op, "storm:", 6)) {
		storm(atoi(op + 6), atoi(strchr(op + 6, ':') ? strchr(op + 6, ':') + 1 : "1"));
	} else if (!strcmp(op, "read-signal")) {
		read_signal(fd);
	} else if (!strcmp(op, "hold")) {
		printf("hold=open\n");
		fflush(stdout);
		while (read(0, &c, 1) > 0)
			;
		printf("hold=closed");
	} else {
		printf("%s=unknown-op", op);
	}
	printf("\n");
}

int main(int argc, char **argv)
{
	int fd = open(device, O_RDWR);
	int i;

	if (fd < 0) {
		printf("open=%s\n", errno_name(errno));
		return 1;
	}
	for (i = 1; i < argc; i++)
		run(fd, argv[i]);
	return 0;
}
