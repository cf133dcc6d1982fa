// SPDX-License-Identifier: GPL-2.0
/*
 * ioctl_client: sends ioctl commands to /dev/rust_ioctl and prints the
 * results, for examples/ioctl/test.sh.
 *
 * The command numbers come from the C macros of <linux/ioctl.h>, so the
 * commands working at all shows that the Rust module computed the same
 * numbers with kernel::ioctl.
 *
 *   ioctl_client OP...
 *
 * OP is one of
 *   numbers       print the command numbers: "reset 0x7200, get 0x..., ..."
 *   reset:N       RUST_IOCTL_RESET with the number N as the argument
 *   get           RUST_IOCTL_GET; prints "get=VALUE"
 *   set:N         RUST_IOCTL_SET
 *   add:N         RUST_IOCTL_ADD with delta N; prints "add=RESULT"
 *   get-bad, set-bad, add-bad    the same commands with the address 1
 *   unknown       a command number the driver does not define
 *   get-u32       RUST_IOCTL_GET's type and number with a 4-byte size
 *   read, write, seek            read(2), write(2), lseek(2) on the device
 *
 * Each OP prints one line: "set=0", "get=42", or an errno name: "get=EFAULT".
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/ioctl.h>
#include <linux/types.h>

struct rust_ioctl_add {
	__u64 delta;	/* in: what to add to the value */
	__u64 result;	/* out: the value after the addition */
};

#define RUST_IOCTL_RESET	_IO('r', 0)
#define RUST_IOCTL_GET		_IOR('r', 1, __u64)
#define RUST_IOCTL_SET		_IOW('r', 2, __u64)
#define RUST_IOCTL_ADD		_IOWR('r', 3, struct rust_ioctl_add)

static const char *errno_name(int err)
{
	switch (err) {
	case EFAULT: return "EFAULT";
	case EINVAL: return "EINVAL";
	case ENOTTY: return "ENOTTY";
	case ESPIPE: return "ESPIPE";
	case EOVERFLOW: return "EOVERFLOW";
	default: return strerror(err);
	}
}

/* Prints "NAME=" and the errno's name if @ret is negative; true if not. */
static int ok(const char *name, long ret)
{
	printf("%s=", name);
	if (ret < 0) {
		printf("%s", errno_name(errno));
		return 0;
	}
	return 1;
}

static void run(int fd, const char *op)
{
	void *bad = (void *)1;
	const char *num = strchr(op, ':');
	__u64 n = num ? strtoull(num + 1, NULL, 0) : 0;
	char byte;
	long ret;

	if (!strcmp(op, "numbers")) {
		printf("reset %#x, get %#lx, set %#lx, add %#lx", RUST_IOCTL_RESET,
		       (unsigned long)RUST_IOCTL_GET, (unsigned long)RUST_IOCTL_SET,
		       (unsigned long)RUST_IOCTL_ADD);
	} else if (!strncmp(op, "reset:", 6)) {
		if (ok("reset", ioctl(fd, RUST_IOCTL_RESET, (unsigned long)n)))
			printf("0");
	} else if (!strcmp(op, "get")) {
		__u64 value = 0;

		if (ok("get", ioctl(fd, RUST_IOCTL_GET, &value)))
			printf("%" PRIu64, (uint64_t)value);
	} else if (!strncmp(op, "set:", 4)) {
		if (ok("set", ioctl(fd, RUST_IOCTL_SET, &n)))
			printf("0");
	} else if (!strncmp(op, "add:", 4)) {
		struct rust_ioctl_add add = { .delta = n, .result = 0 };

		if (ok("add", ioctl(fd, RUST_IOCTL_ADD, &add)))
			printf("%" PRIu64, (uint64_t)add.result);
	} else if (!strcmp(op, "get-bad")) {
		ok("get", ioctl(fd, RUST_IOCTL_GET, bad));
	} else if (!strcmp(op, "set-bad")) {
		ok("set", ioctl(fd, RUST_IOCTL_SET, bad));
	} else if (!strcmp(op, "add-bad")) {
		ok("add", ioctl(fd, RUST_IOCTL_ADD, bad));
	} else if (!strcmp(op, "unknown")) {
		ok("unknown", ioctl(fd, _IO('r', 99), 0));
	} else if (!strcmp(op, "get-u32")) {
		__u32 value;

		ok("get-u32", ioctl(fd, _IOR('r', 1, __u32), &value));
	} else if (!strcmp(op, "read")) {
		ret = read(fd, &byte, 1);
		if (ok("read", ret))
			printf("%ld", ret);
	} else if (!strcmp(op, "write")) {
		ret = write(fd, "x", 1);
		if (ok("write", ret))
			printf("%ld", ret);
	} else if (!strcmp(op, "seek")) {
		ret = lseek(fd, 0, SEEK_SET);
		if (ok("seek", ret))
			printf("%ld", ret);
	} else {
		fprintf(stderr, "bad op: %s\n", op);
		exit(2);
	}
	putchar('\n');
}

int main(int argc, char **argv)
{
	int fd = open("/dev/rust_ioctl", O_RDWR);
	int i;

	if (fd < 0) {
		perror("/dev/rust_ioctl");
		return 1;
	}
	for (i = 1; i < argc; i++)
		run(fd, argv[i]);
	return close(fd) ? 1 : 0;
}
