// SPDX-License-Identifier: GPL-2.0
/*
 * stress_badio: makes system calls with bad arguments on one open file and
 * prints what each returned, for tests/stress/bad-input.sh.
 *
 *   stress_badio FILE MODE OP...
 *
 * MODE is how FILE is opened: r, w or rw, or rwn (rw with O_NONBLOCK, for
 * /dev/rust_fifo, whose reads and writes would otherwise wait). If the open fails, the only line
 * printed is "open=ERRNO". Otherwise each OP prints one line: the count or
 * position the call returned, or the name of the errno it failed with
 * ("EFAULT"). An OP is one of
 *
 *   read:BUF:LEN            read(2) of LEN bytes into BUF
 *   write:BUF:LEN           write(2) of LEN bytes from BUF
 *   pread:BUF:LEN:OFF       pread(2) at offset OFF
 *   pwrite:BUF:LEN:OFF      pwrite(2) at offset OFF
 *   seek:WHENCE:OFF         lseek(2); WHENCE is set, cur, end, data, hole or a number
 *   ioctl:CMD:ARG           ioctl(2) with command CMD (a number, 0x... allowed)
 *   text:STRING             write(2) of STRING, where \n is a newline, \0 a NUL
 *                           byte and \xHH the byte HH
 *   fill:LEN:CHAR           write(2) of LEN times CHAR
 *   show                    read(2) of up to 4096 bytes, printed as text
 *
 * BUF (and ARG) is where the user memory is:
 *   buf        a valid 4 MiB buffer at 256 MiB or the next free multiple of
 *              it (its first bytes are "1234567\n")
 *   null       address 0
 *   unmapped   a page that was mapped and unmapped again
 *   kernel     0xffffffff81000000, an address in the kernel's half
 *   rdonly     a page mapped read-only
 *   edgeN      N bytes before the end of a mapping: a range longer than N
 *              runs into unmapped memory
 *   num:V      (ARG only) the number V itself
 * LEN and OFF are numbers, or max (SIZE_MAX for LEN, INT64_MAX for OFF),
 * neg (for LEN: 2^63, a negative ssize_t) or tib (2^40).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#define BIG (4 << 20)
#define BUF_ADDRESS 0x10000000UL

static long page;

static const char *errno_name(int err)
{
	switch (err) {
	case EACCES: return "EACCES";
	case EAGAIN: return "EAGAIN";
	case EBADF: return "EBADF";
	case EFAULT: return "EFAULT";
	case EINVAL: return "EINVAL";
	case EIO: return "EIO";
	case ENODEV: return "ENODEV";
	case ENOENT: return "ENOENT";
	case ENOSPC: return "ENOSPC";
	case ENOTTY: return "ENOTTY";
	case EOVERFLOW: return "EOVERFLOW";
	case EPERM: return "EPERM";
	case ERANGE: return "ERANGE";
	case ESPIPE: return "ESPIPE";
	case E2BIG: return "E2BIG";
	default: return strerror(err);
	}
}

static void *map(int prot)
{
	void *addr = mmap(NULL, 2 * page, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (addr == MAP_FAILED) {
		perror("mmap");
		exit(2);
	}
	return addr;
}

/* The user address that BUF names. */
static char *address(const char *name)
{
	static char *buf;

	if (!strcmp(name, "buf")) {
		if (!buf) {
			/* At a low address: 1 TiB past it is still user space,
			 * so a huge length passes access_ok() and reaches the
			 * module, whatever the kernel's memory layout. The first
			 * free multiple of 256 MiB (the heap may be in the way). */
			unsigned long at;

			for (at = BUF_ADDRESS; at <= 16 * BUF_ADDRESS; at += BUF_ADDRESS) {
				buf = mmap((void *)at, BIG, PROT_READ | PROT_WRITE,
					   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
				if (buf == (char *)at)
					break;
				if (buf != MAP_FAILED)
					munmap(buf, BIG);	/* an old kernel's hint */
			}
			if (buf != (char *)at) {
				perror("mmap at a low address");
				exit(2);
			}
			memset(buf, 'x', BIG);
			memcpy(buf, "1234567\n", 8);
		}
		return buf;
	}
	if (!strcmp(name, "null"))
		return NULL;
	if (!strcmp(name, "kernel"))
		return (char *)0xffffffff81000000UL;
	if (!strcmp(name, "unmapped")) {
		char *addr = map(PROT_READ | PROT_WRITE);

		munmap(addr, 2 * page);
		return addr;
	}
	if (!strcmp(name, "rdonly"))
		return map(PROT_READ);
	if (!strncmp(name, "edge", 4)) {
		/* Two pages, the second unmapped: N bytes left before the hole. */
		char *addr = map(PROT_READ | PROT_WRITE);

		memset(addr, '1', page);
		munmap(addr + page, page);
		return addr + page - atol(name + 4);
	}
	fprintf(stderr, "bad buffer: %s\n", name);
	exit(2);
}

static size_t length(const char *text)
{
	if (!strcmp(text, "max"))
		return SIZE_MAX;
	if (!strcmp(text, "neg"))
		return (size_t)1 << 63;
	if (!strcmp(text, "tib"))
		return (size_t)1 << 40;
	return strtoull(text, NULL, 0);
}

static off_t offset(const char *text)
{
	if (!strcmp(text, "max"))
		return INT64_MAX;
	if (!strcmp(text, "tib"))
		return (off_t)1 << 40;
	return strtoll(text, NULL, 0);
}

static void report(long ret)
{
	if (ret < 0)
		printf("%s\n", errno_name(errno));
	else
		printf("%ld\n", ret);
}

/* Splits "a:b:c" into at most @max fields; the last one keeps its colons. */
static int fields(char *op, char **out, int max)
{
	int n = 0;

	while (n < max - 1) {
		char *colon = strchr(op, ':');

		out[n++] = op;
		if (!colon)
			return n;
		*colon = '\0';
		op = colon + 1;
	}
	out[n++] = op;
	return n;
}

/* write(2) of TEXT, with the escapes \n (newline), \0 (NUL) and \xHH (a byte) in it. */
static void write_text(int fd, const char *s)
{
	char text[256];
	size_t len = 0;

	for (; *s && len < sizeof(text); s++) {
		if (s[0] == '\\' && s[1] == 'n') {
			text[len++] = '\n';
			s++;
		} else if (s[0] == '\\' && s[1] == '0') {
			text[len++] = '\0';
			s++;
		} else if (s[0] == '\\' && s[1] == 'x' && s[2] && s[3]) {
			char hex[3] = { s[2], s[3], 0 };

			text[len++] = (char)strtoul(hex, NULL, 16);
			s += 3;
		} else {
			text[len++] = *s;
		}
	}
	report(write(fd, text, len));
}

static void run(int fd, char *op)
{
	char *f[5];
	int n;

	/* Checked first: the text may contain colons. */
	if (!strncmp(op, "text:", 5)) {
		write_text(fd, op + 5);
		return;
	}
	n = fields(op, f, 5);
	if (!strcmp(f[0], "read") && n == 3) {
		report(read(fd, address(f[1]), length(f[2])));
	} else if (!strcmp(f[0], "write") && n == 3) {
		report(write(fd, address(f[1]), length(f[2])));
	} else if (!strcmp(f[0], "pread") && n == 4) {
		report(pread(fd, address(f[1]), length(f[2]), offset(f[3])));
	} else if (!strcmp(f[0], "pwrite") && n == 4) {
		report(pwrite(fd, address(f[1]), length(f[2]), offset(f[3])));
	} else if (!strcmp(f[0], "seek") && n == 3) {
		int whence = !strcmp(f[1], "set") ? SEEK_SET : !strcmp(f[1], "cur") ? SEEK_CUR :
			     !strcmp(f[1], "end") ? SEEK_END : !strcmp(f[1], "data") ? SEEK_DATA :
			     !strcmp(f[1], "hole") ? SEEK_HOLE : atoi(f[1]);

		report(lseek(fd, offset(f[2]), whence));
	} else if (!strcmp(f[0], "ioctl") && n >= 3) {
		unsigned long cmd = strtoul(f[1], NULL, 0);
		unsigned long arg = !strcmp(f[2], "num") && n == 4 ? strtoul(f[3], NULL, 0) :
				    (unsigned long)address(f[2]);

		report(ioctl(fd, cmd, arg));
	} else if (!strcmp(f[0], "fill") && n == 3) {
		size_t len = length(f[1]);
		char *buf = malloc(len + 1);

		if (!buf)
			exit(2);
		memset(buf, f[2][0], len);
		report(write(fd, buf, len));
		free(buf);
	} else if (!strcmp(f[0], "show") && n == 1) {
		char buf[4097];
		ssize_t got = read(fd, buf, sizeof(buf) - 1);

		if (got < 0) {
			report(got);
		} else {
			/* One line: the newlines as \n. */
			for (ssize_t i = 0; i < got; i++)
				fputs(buf[i] == '\n' ? "\\n" : (char[]){ buf[i], 0 }, stdout);
			putchar('\n');
		}
	} else {
		fprintf(stderr, "bad op: %s\n", op);
		exit(2);
	}
}

int main(int argc, char **argv)
{
	int flags, fd, i;

	if (argc < 3) {
		fprintf(stderr, "usage: %s FILE r|w|rw|rwn OP...\n", argv[0]);
		return 2;
	}
	page = sysconf(_SC_PAGESIZE);
	flags = !strcmp(argv[2], "r") ? O_RDONLY : !strcmp(argv[2], "w") ? O_WRONLY :
		!strcmp(argv[2], "rwn") ? O_RDWR | O_NONBLOCK : O_RDWR;
	fd = open(argv[1], flags);
	if (fd < 0) {
		printf("open=%s\n", errno_name(errno));
		return 0;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (i = 3; i < argc; i++)
		run(fd, argv[i]);
	return close(fd) ? 1 : 0;
}
