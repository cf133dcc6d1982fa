// SPDX-License-Identifier: GPL-2.0
/*
 * stress_hammer: many processes drive four example modules at once with a
 * random mix of calls, for tests/stress/stress.sh.
 *
 *   stress_hammer SECONDS PROCESSES
 *
 * Each process opens /dev/rust_chardev and /dev/rust_ioctl, then until the
 * time is up picks calls at random: reads, writes, preads, pwrites and seeks
 * on the character device; reads of /proc/rust_procfs from the start and
 * from random offsets, and writes of its `lines` parameter; writes and reads
 * of the attributes in /sys/kernel/rust_sysfs/, valid and not; the ioctl
 * commands, known, unknown and with a bad pointer; and closing and
 * reopening the devices.
 *
 * Every result is checked against what the module documents for that call:
 * the exact count where it is known (a write at offset 4000 takes 96 bytes
 * at most), a count in range where other processes change the state, or an
 * errno the call may give (ENOSPC past the end of the device, EINVAL for a
 * negative seek or a junk attribute value, ERANGE from the /proc file while
 * `lines` is over 100000, for reads and for seeks, which run show too;
 * EOVERFLOW from an addition). Anything else is
 * unexpected and the first few (three per process) are printed.
 *
 * The output is one line per kind of call, "op NAME calls=N errors=N
 * unexpected=N" (errors: those that failed as documented), and a last line
 * "processes=P seconds=S ops=N unexpected=N". Exits 1 if anything was
 * unexpected or a process did not exit normally.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/ioctl.h>
#include <linux/types.h>

#define CHARDEV "/dev/rust_chardev"
#define IOCTLDEV "/dev/rust_ioctl"
#define PROCFILE "/proc/rust_procfs"
#define LINES "/sys/module/rust_procfs/parameters/lines"
#define SYSFS "/sys/kernel/rust_sysfs/"
#define CAPACITY 4096

struct rust_ioctl_add {
	__u64 delta;
	__u64 result;
};

#define RUST_IOCTL_RESET	_IO('r', 0)
#define RUST_IOCTL_GET		_IOR('r', 1, __u64)
#define RUST_IOCTL_SET		_IOW('r', 2, __u64)
#define RUST_IOCTL_ADD		_IOWR('r', 3, struct rust_ioctl_add)

/* The kinds of call, and how often each is picked (relative weights). */
#define OPS(X)						\
	X(CD_PREAD, "chardev-pread", 4)			\
	X(CD_PWRITE, "chardev-pwrite", 4)		\
	X(CD_READ, "chardev-read", 3)			\
	X(CD_WRITE, "chardev-write", 3)			\
	X(CD_SEEK, "chardev-lseek", 3)			\
	X(CD_REOPEN, "chardev-reopen", 1)		\
	X(PROC_READ, "procfs-read-all", 2)		\
	X(PROC_SEEK, "procfs-lseek-read", 2)		\
	X(PROC_LINES, "procfs-write-lines", 1)		\
	X(SYS_VALUE_W, "sysfs-write-value", 3)		\
	X(SYS_VALUE_R, "sysfs-read-value", 3)		\
	X(SYS_NAME_W, "sysfs-write-name", 3)		\
	X(SYS_NAME_R, "sysfs-read-name", 3)		\
	X(SYS_VERSION_R, "sysfs-read-version", 1)	\
	X(IO_GET, "ioctl-get", 3)			\
	X(IO_SET, "ioctl-set", 3)			\
	X(IO_ADD, "ioctl-add", 3)			\
	X(IO_RESET, "ioctl-reset", 1)			\
	X(IO_UNKNOWN, "ioctl-unknown", 1)		\
	X(IO_BAD, "ioctl-bad-pointer", 1)		\
	X(IO_REOPEN, "ioctl-reopen", 1)

#define ENUM(id, name, weight) id,
enum op { OPS(ENUM) NOPS };
#define NAME(id, name, weight) name,
static const char *const op_names[] = { OPS(NAME) };
#define WEIGHT(id, name, weight) weight,
static const unsigned int op_weights[] = { OPS(WEIGHT) };

/*
 * One process's counts, in memory shared with the parent: calls made, and
 * among them those that failed as documented and those that did something
 * unexpected.
 */
struct tally {
	unsigned long calls[NOPS], errors[NOPS], unexpected[NOPS];
};

static struct tally *me;
static uint64_t rng;
static int printed;
/* Set when the call being checked did something unexpected. */
static int flagged;

static unsigned long rnd(unsigned long n)
{
	/* xorshift64 */
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng % n;
}

static void unexpected(enum op op, const char *fmt, ...)
{
	va_list ap;

	me->unexpected[op]++;
	flagged = 1;
	if (printed++ >= 3)
		return;
	fprintf(stderr, "unexpected in %s (pid %d): ", op_names[op], getpid());
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/*
 * Files a process keeps open, and its own file position on the character
 * device (each process opened it itself, so nobody else moves it).
 */
static int chardev = -1, ioctldev = -1;
static long pos;

static int reopen(int fd, const char *path)
{
	if (fd >= 0)
		close(fd);
	fd = open(path, O_RDWR);
	if (fd < 0) {
		perror(path);
		exit(1);
	}
	return fd;
}

/* Writes @text to @path in one write(2); the result or -errno. */
static long write_file(const char *path, const char *text, size_t len)
{
	int fd = open(path, O_WRONLY);
	long ret;

	if (fd < 0)
		return -errno;
	ret = write(fd, text, len);
	if (ret < 0)
		ret = -errno;
	close(fd);
	return ret;
}

/* Reads @path (at most @size - 1 bytes) into @buf as a string. */
static long read_file(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY);
	long ret;

	if (fd < 0)
		return -errno;
	ret = read(fd, buf, size - 1);
	if (ret < 0)
		ret = -errno;
	else
		buf[ret] = '\0';
	close(fd);
	return ret;
}

/* Counts a failed call that failed as documented. */
static void documented(enum op op, long ret)
{
	if (ret < 0 && !flagged)
		me->errors[op]++;
}

static long min(long a, long b)
{
	return a < b ? a : b;
}

/* The most a read at @off may return: the data ends at 4096 at most. */
static long room(long off)
{
	return off >= CAPACITY ? 0 : CAPACITY - off;
}

static void chardev_op(enum op op, char *buf)
{
	long off, len = 1 + rnd(600), ret = 0;
	int whence;

	switch (op) {
	case CD_PWRITE:
		off = rnd(CAPACITY + 100);
		memset(buf, 'a' + rnd(26), len);
		ret = pwrite(chardev, buf, len, off);
		if (off >= CAPACITY ? !(ret < 0 && errno == ENOSPC) : ret != min(len, room(off)))
			unexpected(op, "pwrite of %ld at %ld returned %ld (%m)", len, off, ret);
		break;
	case CD_PREAD:
		off = rnd(CAPACITY + 100);
		ret = pread(chardev, buf, len, off);
		if (ret < 0 || ret > min(len, room(off)))
			unexpected(op, "pread of %ld at %ld returned %ld (%m)", len, off, ret);
		break;
	case CD_WRITE:
		memset(buf, 'A' + rnd(26), len);
		ret = write(chardev, buf, len);
		if (pos >= CAPACITY ? !(ret < 0 && errno == ENOSPC) : ret != min(len, room(pos)))
			unexpected(op, "write of %ld at %ld returned %ld (%m)", len, pos, ret);
		if (ret > 0)
			pos += ret;
		break;
	case CD_READ:
		ret = read(chardev, buf, len);
		if (ret < 0 || ret > min(len, room(pos)))
			unexpected(op, "read of %ld at %ld returned %ld (%m)", len, pos, ret);
		if (ret > 0)
			pos += ret;
		break;
	case CD_SEEK:
		whence = rnd(3);
		off = (long)rnd(8000) - 3000;
		ret = lseek(chardev, off, whence);
		if (whence == SEEK_SET && (off < 0 ? !(ret < 0 && errno == EINVAL) : ret != off))
			unexpected(op, "SEEK_SET %ld returned %ld (%m)", off, ret);
		else if (whence == SEEK_CUR &&
			 (pos + off < 0 ? !(ret < 0 && errno == EINVAL) : ret != pos + off))
			unexpected(op, "SEEK_CUR %ld from %ld returned %ld (%m)", off, pos, ret);
		/* SEEK_END: from the end of the data, somewhere in 0..4096. */
		else if (whence == SEEK_END && (ret < 0 ? !(errno == EINVAL && off < 0) :
						 ret - off < 0 || ret - off > CAPACITY))
			unexpected(op, "SEEK_END %ld returned %ld (%m)", off, ret);
		if (ret >= 0)
			pos = ret;
		break;
	default:
		chardev = reopen(chardev, CHARDEV);
		pos = 0;
		break;
	}
	documented(op, ret);
}

static void procfs_op(enum op op, char *buf)
{
	static const char *const lines[] = { "0\n", "1\n", "10\n", "1000\n", "3000\n", "100001\n" };
	long ret = 0, total = 0, off;
	int fd;

	if (op == PROC_LINES) {
		/* Over 100000 (one write in 12) makes reads fail with ERANGE. */
		const char *text = lines[rnd(12) == 0 ? 5 : rnd(5)];

		ret = write_file(LINES, text, strlen(text));
		if (ret != (long)strlen(text))
			unexpected(op, "writing lines=%.*s returned %ld", (int)strlen(text) - 1, text, ret);
		return;
	}
	fd = open(PROCFILE, O_RDONLY);
	if (fd < 0) {
		unexpected(op, "open: %m");
		return;
	}
	if (op == PROC_SEEK) {
		/* seq_file runs show to find the offset: ERANGE from it fails the
		 * lseek too. */
		off = rnd(30000);
		ret = lseek(fd, off, SEEK_SET);
		if (ret < 0 ? errno != ERANGE : ret != off)
			unexpected(op, "lseek to %ld returned %ld (%m)", off, ret);
		if (ret >= 0)
			ret = read(fd, buf, 1 + rnd(8192));
	} else {
		while ((ret = read(fd, buf, 1 + rnd(8192))) > 0 && total < 400000) {
			if (total == 0 && ret >= 2 && memcmp(buf, "# ", 2))
				unexpected(op, "the file does not start with \"# \"");
			total += ret;
		}
	}
	if (ret < 0 && errno != ERANGE)
		unexpected(op, "read: %m");
	documented(op, ret);
	close(fd);
}

/* Is @text one decimal number and a newline? */
static int is_number_line(const char *text)
{
	char *end;

	if (!*text)
		return 0;
	errno = 0;
	strtoll(text, &end, 10);
	return errno == 0 && end != text && !strcmp(end, "\n");
}

static void sysfs_op(enum op op, char *buf)
{
	char text[64];
	long ret, len, i;

	switch (op) {
	case SYS_VALUE_W:
		if (rnd(4)) {
			len = snprintf(text, sizeof(text), "%" PRId64 "\n", (int64_t)rng);
			ret = write_file(SYSFS "value", text, len);
			if (ret != len)
				unexpected(op, "writing %s returned %ld", text, ret);
		} else {
			len = snprintf(text, sizeof(text), "%ldx\n", rnd(1000));
			ret = write_file(SYSFS "value", text, len);
			if (ret != -EINVAL)
				unexpected(op, "writing junk returned %ld, not EINVAL", ret);
		}
		break;
	case SYS_VALUE_R:
		ret = read_file(SYSFS "value", buf, 4096);
		if (ret <= 0 || !is_number_line(buf))
			unexpected(op, "read returned %ld: '%s'", ret, ret > 0 ? buf : "");
		break;
	case SYS_NAME_W:
		len = 1 + rnd(20);
		for (i = 0; i < len; i++)
			text[i] = 'a' + rnd(26);
		text[len] = '\n';
		ret = write_file(SYSFS "name", text, len + 1);
		if (len <= 16 ? ret != len + 1 : ret != -EINVAL)
			unexpected(op, "writing a %ld-byte name returned %ld", len, ret);
		break;
	case SYS_NAME_R:
		ret = read_file(SYSFS "name", buf, 4096);
		if (ret < 2 || ret > 17 || buf[ret - 1] != '\n' || strchr(buf, '\n') != buf + ret - 1)
			unexpected(op, "read returned %ld", ret);
		break;
	default:
		ret = read_file(SYSFS "version", buf, 4096);
		if (ret != 4 || strcmp(buf, "1.0\n"))
			unexpected(op, "read returned %ld", ret);
		break;
	}
	documented(op, ret);
}

static void ioctl_op(enum op op)
{
	struct rust_ioctl_add add;
	__u64 value;
	long ret;

	switch (op) {
	case IO_GET:
		ret = ioctl(ioctldev, RUST_IOCTL_GET, &value);
		if (ret != 0)
			unexpected(op, "returned %ld (%m)", ret);
		break;
	case IO_SET:
		value = rnd(1000000);
		ret = ioctl(ioctldev, RUST_IOCTL_SET, &value);
		if (ret != 0)
			unexpected(op, "returned %ld (%m)", ret);
		break;
	case IO_ADD:
		/* Now and then a delta so large that the sum overflows. */
		add.delta = rnd(16) ? rnd(1000) : UINT64_MAX - rnd(10);
		add.result = 0;
		ret = ioctl(ioctldev, RUST_IOCTL_ADD, &add);
		if (ret < 0 ? errno != EOVERFLOW : ret != 0 || add.result < add.delta)
			unexpected(op, "adding %llu returned %ld, result %llu (%m)",
				   (unsigned long long)add.delta, ret, (unsigned long long)add.result);
		break;
	case IO_RESET:
		ret = ioctl(ioctldev, RUST_IOCTL_RESET, rnd(100));
		if (ret != 0)
			unexpected(op, "returned %ld (%m)", ret);
		break;
	case IO_UNKNOWN:
		ret = ioctl(ioctldev, _IO('r', 4 + rnd(200)), 0);
		if (!(ret < 0 && errno == ENOTTY))
			unexpected(op, "returned %ld (%m), not ENOTTY", ret);
		break;
	case IO_BAD:
		ret = ioctl(ioctldev, rnd(2) ? RUST_IOCTL_GET : RUST_IOCTL_ADD, NULL);
		if (!(ret < 0 && errno == EFAULT))
			unexpected(op, "returned %ld (%m), not EFAULT", ret);
		break;
	default:
		ioctldev = reopen(ioctldev, IOCTLDEV);
		ret = 0;
		break;
	}
	documented(op, ret);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int worker(int index, double seconds)
{
	static char buf[8192];
	double end = now() + seconds;
	unsigned int total = 0, i;

	rng = 0x9e3779b97f4a7c15ULL * (index + 1) ^ (uint64_t)getpid();
	chardev = reopen(-1, CHARDEV);
	ioctldev = reopen(-1, IOCTLDEV);
	for (i = 0; i < NOPS; i++)
		total += op_weights[i];
	while (now() < end) {
		unsigned long pick = rnd(total);
		enum op op = 0;

		while (pick >= op_weights[op])
			pick -= op_weights[op++];
		flagged = 0;
		if (op <= CD_REOPEN)
			chardev_op(op, buf);
		else if (op <= PROC_LINES)
			procfs_op(op, buf);
		else if (op <= SYS_VERSION_R)
			sysfs_op(op, buf);
		else
			ioctl_op(op);
		me->calls[op]++;
	}
	close(chardev);
	close(ioctldev);
	return 0;
}

int main(int argc, char **argv)
{
	struct tally *tallies, sum = { 0 };
	unsigned long ops = 0, bad = 0;
	int processes, i, j, status, failed = 0;
	double seconds;

	if (argc != 3) {
		fprintf(stderr, "usage: %s SECONDS PROCESSES\n", argv[0]);
		return 2;
	}
	seconds = atof(argv[1]);
	processes = atoi(argv[2]);
	tallies = mmap(NULL, processes * sizeof(*tallies), PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (tallies == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	for (i = 0; i < processes; i++) {
		pid_t pid = fork();

		if (pid < 0) {
			perror("fork");
			return 1;
		}
		if (pid == 0) {
			me = &tallies[i];
			_exit(worker(i, seconds));
		}
	}
	while (wait(&status) > 0)
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
			failed = 1;

	for (i = 0; i < processes; i++)
		for (j = 0; j < NOPS; j++) {
			sum.calls[j] += tallies[i].calls[j];
			sum.errors[j] += tallies[i].errors[j];
			sum.unexpected[j] += tallies[i].unexpected[j];
		}
	for (j = 0; j < NOPS; j++) {
		printf("op %s calls=%lu errors=%lu unexpected=%lu\n", op_names[j], sum.calls[j],
		       sum.errors[j], sum.unexpected[j]);
		ops += sum.calls[j];
		bad += sum.unexpected[j];
	}
	printf("processes=%d seconds=%g ops=%lu unexpected=%lu%s\n", processes, seconds, ops, bad,
	       failed ? " (a process failed)" : "");
	return bad || failed ? 1 : 0;
}
