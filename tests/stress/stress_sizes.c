// SPDX-License-Identifier: GPL-2.0
/*
 * stress_sizes: reads and writes of every size, from 0 to past the end of
 * the buffer, with the exact count each must return, for
 * tests/stress/stress.sh.
 *
 *   stress_sizes chardev-zero   zero-length writes on /dev/rust_chardev,
 *                               freshly loaded (empty)
 *   stress_sizes chardev        /dev/rust_chardev: every size and offset
 *   stress_sizes sysfs          /sys/kernel/rust_sysfs/value and name
 *   stress_sizes ioctl          /dev/rust_ioctl: command sizes off by one
 *
 * For the character device it keeps a model of the 4096 bytes the device
 * should hold and checks every count and every byte read against it. Each
 * mismatch prints "MISMATCH <what>: expected <x>, got <y>" (the first 20);
 * the last line is "checks=N mismatches=M". Exits 1 on any mismatch.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/ioctl.h>
#include <linux/types.h>

#define CAPACITY 4096
#define PAGE 4096

static long checks, mismatches;

/* Counts one check; prints it if @got is not @want. */
static void same(const char *what, long want, long got)
{
	checks++;
	if (want == got)
		return;
	if (++mismatches <= 20)
		printf("MISMATCH %s: expected %ld, got %ld\n", what, want, got);
}

/* A call's result as one number: the count, or minus the errno. */
static long result(long ret)
{
	return ret < 0 ? -errno : ret;
}

static int open_or_die(const char *path, int flags)
{
	int fd = open(path, flags);

	if (fd < 0) {
		perror(path);
		exit(2);
	}
	return fd;
}

/* --- /dev/rust_chardev ----------------------------------------------------- */

/* What the device should hold: the first @size bytes of @model. */
static char model[CAPACITY];
static size_t size;

/* The bytes written for test @n: different for each n. */
static void pattern(char *buf, size_t len, unsigned int n)
{
	for (size_t i = 0; i < len; i++)
		buf[i] = (char)('A' + (i * 7 + n) % 53);
}

/* What a write of @len bytes at @off must return, applied to the model. */
static long model_write(const char *data, size_t len, size_t off)
{
	size_t count;

	if (len == 0)
		return 0;		/* as for a regular file: nothing happens */
	if (off >= CAPACITY)
		return -ENOSPC;
	count = len < CAPACITY - off ? len : CAPACITY - off;
	if (off > size)
		memset(model + size, 0, off - size);	/* the gap reads as zeroes */
	memcpy(model + off, data, count);
	if (off + count > size)
		size = off + count;
	return count;
}

/* pwrite(2) of @len bytes at @off, checked against the model. */
static void check_pwrite(int fd, char *buf, size_t len, size_t off, unsigned int n)
{
	char what[80];

	pattern(buf, len, n);
	snprintf(what, sizeof(what), "pwrite of %zu bytes at %zu", len, off);
	same(what, model_write(buf, len, off), result(pwrite(fd, buf, len, off)));
}

/* pread(2) of @len bytes at @off: the count and every byte. */
static void check_pread(int fd, char *buf, size_t len, size_t off)
{
	long want = off >= size ? 0 : (long)(len < size - off ? len : size - off);
	long got;
	char what[80];

	memset(buf, '?', len);
	got = result(pread(fd, buf, len, off));
	snprintf(what, sizeof(what), "pread of %zu bytes at %zu", len, off);
	same(what, want, got);
	if (got == want && want > 0) {
		snprintf(what, sizeof(what), "bytes differing in pread of %zu at %zu", len, off);
		same(what, 0, memcmp(buf, model + off, want) != 0);
	}
}

/* Makes the model what the device holds now. */
static void resync(int fd)
{
	long got = pread(fd, model, CAPACITY, 0);

	size = got > 0 ? got : 0;
}

/* Zero-length writes on the empty device: as for a regular file, each
 * returns 0 and changes nothing, wherever it starts. */
static void chardev_zero(void)
{
	int fd = open_or_die("/dev/rust_chardev", O_RDWR);
	char buf[CAPACITY];

	size = 0;
	check_pwrite(fd, buf, 0, 0, 0);
	check_pwrite(fd, buf, 0, 100, 0);
	check_pwrite(fd, buf, 0, CAPACITY, 0);
	check_pwrite(fd, buf, 0, 5000, 0);
	check_pread(fd, buf, CAPACITY, 0);
	close(fd);
}

static void chardev(void)
{
	int fd = open_or_die("/dev/rust_chardev", O_RDWR);
	size_t big = 1 << 20, n, off;
	char *buf = malloc(big);
	long before;

	if (!buf)
		exit(2);
	/* Start from what the device holds (nothing, unless chardev-zero
	 * found a zero-length write that left something). */
	resync(fd);
	if (size) {
		memset(buf, 0, size);
		same("the device holds only zeroes before the test", 0, memcmp(buf, model, size) != 0);
	}

	/* A write past the end of the data leaves a gap of zeroes. */
	check_pwrite(fd, buf, 5, 10, 1);
	check_pread(fd, buf, 100, 0);

	/* Every size from 0 (reads; zero-length writes are chardev-zero's)
	 * to past the buffer, at offset 0. */
	for (n = 0; n <= CAPACITY + 104; n++) {
		if (n > 0)
			check_pwrite(fd, buf, n, 0, n);
		check_pread(fd, buf, n, 0);
	}
	/* One byte at every offset, then everything from there on. */
	for (off = 0; off <= CAPACITY + 104; off++) {
		check_pwrite(fd, buf, 1, off, off);
		check_pread(fd, buf, CAPACITY + 104, off);
	}
	/* Writes that straddle the end of the buffer. */
	for (off = CAPACITY - 16; off <= CAPACITY + 4; off++)
		for (n = 1; n <= 40; n++) {
			check_pwrite(fd, buf, n, off, n + off);
			check_pread(fd, buf, 64, off < 32 ? 0 : off - 32);
		}
	/* Buffers far larger than the device. */
	check_pwrite(fd, buf, big, 0, 7);
	check_pread(fd, buf, big, 0);
	check_pread(fd, buf, 65536, 100);

	/* read(2) and write(2) move the file position by what they return. */
	same("lseek to 0", 0, result(lseek(fd, 0, SEEK_SET)));
	for (n = 0; n < 5; n++) {
		pattern(buf, 1000, n);
		same("write of 1000 bytes from the position", model_write(buf, 1000, n * 1000),
		     result(write(fd, buf, 1000)));
	}
	same("write at the end of the buffer", -ENOSPC, result(write(fd, buf, 1)));
	same("the position after the writes", CAPACITY, result(lseek(fd, 0, SEEK_CUR)));
	same("lseek to 0", 0, result(lseek(fd, 0, SEEK_SET)));
	for (n = 0, before = 0; n < 6; n++) {
		long want = n < 4 ? 1000 : n == 4 ? 96 : 0;

		same("read of 1000 bytes from the position", want, result(read(fd, buf, 1000)));
		before += want;
		same("the position after the read", before, result(lseek(fd, 0, SEEK_CUR)));
	}
	free(buf);
	close(fd);
}

/* --- /sys/kernel/rust_sysfs ------------------------------------------------ */

/* pwrite(2) of @len bytes of @c (and a newline last if @newline). */
static long put(int fd, size_t len, char c, int newline)
{
	static char buf[PAGE + 16];

	memset(buf, c, len);
	if (newline && len > 0)
		buf[len - 1] = '\n';
	return result(pwrite(fd, buf, len, 0));
}

/* The attribute's text, or "" if the read failed. */
static const char *show(int fd)
{
	static char text[PAGE + 1];
	ssize_t got = pread(fd, text, PAGE, 0);

	text[got > 0 ? got : 0] = '\0';
	return text;
}

static void sysfs(void)
{
	const char *dir = "/sys/kernel/rust_sysfs";
	char path[64], what[96], want[32];
	int value, name, reader;
	size_t n, k;

	snprintf(path, sizeof(path), "%s/value", dir);
	value = open_or_die(path, O_WRONLY);
	reader = open_or_die(path, O_RDONLY);
	/* value: n zeroes is 0 whatever n is. sysfs hands store at most a
	 * page: a longer write stores its first 4096 bytes and returns 4096. */
	for (n = 0; n <= PAGE + 1; n++) {
		same("resetting value to 5", 2, put(value, 2, '5', 1));
		snprintf(what, sizeof(what), "a write of %zu zeroes to value", n);
		same(what, n == 0 ? 0 : n <= PAGE ? (long)n : PAGE, put(value, n, '0', 0));
		snprintf(what, sizeof(what), "value after a write of %zu zeroes reads %s", n,
			 n == 0 ? "5 (unchanged)" : "0");
		same(what, 0, strcmp(show(reader), n == 0 ? "5\n" : "0\n") != 0);
	}
	/* Reads of 0 to 4 bytes of "0\n". */
	for (k = 0; k <= 4; k++) {
		char buf[8];

		snprintf(what, sizeof(what), "a read of %zu bytes of value", k);
		same(what, k < 2 ? (long)k : 2, result(pread(reader, buf, k, 0)));
	}
	close(value);
	close(reader);

	snprintf(path, sizeof(path), "%s/name", dir);
	name = open_or_die(path, O_WRONLY);
	reader = open_or_die(path, O_RDONLY);
	/* name: 1 to 16 bytes; one trailing newline is not part of it. */
	for (n = 0; n <= PAGE + 1; n++) {
		int ok = n >= 1 && n <= 16;

		same("resetting name to x", 2, put(name, 2, 'x', 1));
		snprintf(what, sizeof(what), "a write of %zu bytes to name", n);
		same(what, n == 0 ? 0 : ok ? (long)n : -EINVAL, put(name, n, 'a', 0));
		/* A rejected (or empty) write leaves the name as it was. */
		if (ok) {
			memset(want, 'a', n);
			strcpy(want + n, "\n");
		} else {
			strcpy(want, "x\n");
		}
		snprintf(what, sizeof(what), "name after a write of %zu bytes", n);
		same(what, 0, strcmp(show(reader), want) != 0);
	}
	for (n = 1; n <= 18; n++) {
		int ok = n >= 2 && n <= 17;

		snprintf(what, sizeof(what), "a write of %zu bytes ending in a newline to name", n);
		same(what, ok ? (long)n : -EINVAL, put(name, n, 'b', 1));
	}
	close(name);
	close(reader);
}

/* --- /dev/rust_ioctl ------------------------------------------------------- */

static void ioctls(void)
{
	int fd = open_or_die("/dev/rust_ioctl", O_RDWR);
	static const struct { const char *name; unsigned int dir, nr, size; } cmds[] = {
		{ "get", _IOC_READ, 1, 8 },
		{ "set", _IOC_WRITE, 2, 8 },
		{ "add", _IOC_READ | _IOC_WRITE, 3, 16 },
	};
	unsigned char arg[64] = { 0 };
	__u64 value = 0;
	char what[96];
	unsigned int i, dir;
	int delta;

	same("set 1000", 0, result(ioctl(fd, _IOW('r', 2, __u64), &(__u64){ 1000 })));
	for (i = 0; i < 3; i++) {
		/* The size in the number is part of the command: one byte more or
		 * less, or another direction, is another command. */
		for (delta = -1; delta <= 1; delta += 2) {
			unsigned int size = cmds[i].size + delta;

			snprintf(what, sizeof(what), "%s with size %u instead of %u", cmds[i].name,
				 size, cmds[i].size);
			same(what, -ENOTTY, result(ioctl(fd, _IOC(cmds[i].dir, 'r', cmds[i].nr, size), arg)));
		}
		snprintf(what, sizeof(what), "%s with size 0", cmds[i].name);
		same(what, -ENOTTY, result(ioctl(fd, _IOC(cmds[i].dir, 'r', cmds[i].nr, 0), arg)));
		snprintf(what, sizeof(what), "%s with the largest size", cmds[i].name);
		same(what, -ENOTTY, result(ioctl(fd, _IOC(cmds[i].dir, 'r', cmds[i].nr, _IOC_SIZEMASK), arg)));
		for (dir = 0; dir < 4; dir++) {
			if (dir == cmds[i].dir)
				continue;
			snprintf(what, sizeof(what), "%s with direction %u instead of %u", cmds[i].name,
				 dir, cmds[i].dir);
			same(what, -ENOTTY, result(ioctl(fd, _IOC(dir, 'r', cmds[i].nr, cmds[i].size), arg)));
		}
	}
	same("get after the rejected commands", 0, result(ioctl(fd, _IOR('r', 1, __u64), &value)));
	same("the value is unchanged by them", 1000, (long)value);
	close(fd);
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "chardev-zero"))
		chardev_zero();
	else if (argc == 2 && !strcmp(argv[1], "chardev"))
		chardev();
	else if (argc == 2 && !strcmp(argv[1], "sysfs"))
		sysfs();
	else if (argc == 2 && !strcmp(argv[1], "ioctl"))
		ioctls();
	else {
		fprintf(stderr, "usage: %s chardev-zero|chardev|sysfs|ioctl\n", argv[0]);
		return 2;
	}
	printf("checks=%ld mismatches=%ld\n", checks, mismatches);
	return mismatches ? 1 : 0;
}
