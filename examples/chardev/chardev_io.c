// SPDX-License-Identifier: GPL-2.0
/*
 * chardev_io: runs a list of system calls on one open file and prints the
 * result of each, for examples/chardev/test.sh.
 *
 *   chardev_io FILE OP...
 *
 * OP is one of
 *   write:N[:C]   write N bytes of the character C (default 'x')
 *   read:N        read up to N bytes; prints the count and the bytes read
 *   seek:set:N    lseek(fd, N, SEEK_SET); also seek:cur:N and seek:end:N
 *   write-bad:N   write N bytes from the address 1 (never mapped)
 *   write-edge:N:M  write N bytes of 'e' of which only the first M are mapped
 *   read-bad:N    read N bytes into a page that was just unmapped
 *   poll:0        poll(2) for reading and writing, timeout 0: "poll=1 revents=0x145"
 *   epoll:0       epoll_ctl(EPOLL_CTL_ADD) of the file: "epoll_ctl=0" or an errno
 *
 * Each OP prints one line: "write=5", "read=3 abc", "seek=4090", or the
 * errno's name on failure: "write=ENOSPC".
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <poll.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <unistd.h>

static const char *errno_name(int err)
{
	switch (err) {
	case EFAULT: return "EFAULT";
	case EINVAL: return "EINVAL";
	case ENOSPC: return "ENOSPC";
	case ESPIPE: return "ESPIPE";
	case ENOTTY: return "ENOTTY";
	case EBADF: return "EBADF";
	case EPERM: return "EPERM";
	default: return strerror(err);
	}
}

/* Prints "NAME=RESULT", the result being a number or an errno name. */
static void report(const char *name, long result)
{
	if (result < 0)
		printf("%s=%s", name, errno_name(errno));
	else
		printf("%s=%ld", name, result);
}

/* An address that is certainly not mapped: a page mapped, then unmapped. */
static void *unmapped_page(void)
{
	long page = sysconf(_SC_PAGESIZE);
	void *addr = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (addr == MAP_FAILED || munmap(addr, page)) {
		perror("mmap");
		exit(2);
	}
	return addr;
}

static void run(int fd, char *op)
{
	static char buf[1 << 16];
	char *arg = strchr(op, ':');
	long n;

	if (!arg) {
		fprintf(stderr, "bad op: %s\n", op);
		exit(2);
	}
	*arg++ = '\0';
	if (!strcmp(op, "write")) {
		char *fill = strchr(arg, ':');

		n = atol(arg);
		if (n < 0 || n > (long)sizeof(buf))
			exit(2);
		memset(buf, fill ? fill[1] : 'x', n);
		report("write", write(fd, buf, n));
	} else if (!strcmp(op, "read")) {
		long got;

		n = atol(arg);
		if (n < 0 || n > (long)sizeof(buf))
			exit(2);
		got = read(fd, buf, n);
		report("read", got);
		if (got > 0)
			printf(" %.*s", (int)got, buf);
	} else if (!strcmp(op, "seek")) {
		int whence = !strncmp(arg, "set:", 4) ? SEEK_SET :
			     !strncmp(arg, "cur:", 4) ? SEEK_CUR :
			     !strncmp(arg, "end:", 4) ? SEEK_END : -1;

		if (whence < 0)
			exit(2);
		report("seek", lseek(fd, atol(arg + 4), whence));
	} else if (!strcmp(op, "write-bad")) {
		report("write", write(fd, (void *)1, atol(arg)));
	} else if (!strcmp(op, "write-edge")) {
		/* Two pages, the second unmapped: M bytes of 'e' before the hole. */
		long page = sysconf(_SC_PAGESIZE);
		char *addr = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		char *colon = strchr(arg, ':');

		if (addr == MAP_FAILED || !colon || munmap(addr + page, page))
			exit(2);
		memset(addr, 'e', page);
		report("write", write(fd, addr + page - atol(colon + 1), atol(arg)));
	} else if (!strcmp(op, "read-bad")) {
		report("read", read(fd, unmapped_page(), atol(arg)));
	} else if (!strcmp(op, "poll")) {
		struct pollfd p = { fd, POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM, 0 };

		report("poll", poll(&p, 1, 0));
		printf(" revents=%#x", p.revents);
	} else if (!strcmp(op, "epoll")) {
		struct epoll_event ev = { .events = EPOLLIN };
		int ep = epoll_create1(0);

		report("epoll_ctl", epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev));
		close(ep);
	} else {
		fprintf(stderr, "bad op: %s\n", op);
		exit(2);
	}
	putchar('\n');
}

int main(int argc, char **argv)
{
	int fd, i;

	if (argc < 2) {
		fprintf(stderr, "usage: %s FILE OP...\n", argv[0]);
		return 2;
	}
	fd = open(argv[1], O_RDWR);
	if (fd < 0) {
		perror(argv[1]);
		return 1;
	}
	for (i = 2; i < argc; i++)
		run(fd, argv[i]);
	return close(fd) ? 1 : 0;
}
