// SPDX-License-Identifier: GPL-2.0
/*
 * fifo_io: drives /dev/rust_fifo for examples/fifo/test.sh, one scenario
 * per run, and prints one line of what it saw, which test.sh compares with
 * the exact expected line.
 *
 *   fifo_io nonblock       O_NONBLOCK reads and writes, short writes, fcntl
 *   fifo_io wake-reader    a sleeping reader gets exactly what one write adds
 *   fifo_io wake-writer    a sleeping writer stores exactly the room one read makes
 *   fifo_io one-of-two     one byte wakes one of two sleeping readers, not both
 *   fifo_io poll           poll(2) masks in each state, and a poll woken by a write
 *   fifo_io select         select(2) likewise
 *   fifo_io epoll          epoll, edge- and level-triggered
 *   fifo_io signal         SIGUSR1 without SA_RESTART: EINTR, for a reader and a writer
 *   fifo_io restart        SIGUSR1 with SA_RESTART, SIGSTOP/SIGCONT: the read restarts
 *   fifo_io kill           SIGKILL kills a sleeping reader
 *   fifo_io timeout        a per-file read timeout (ioctl) gives EAGAIN; others wait on
 *   fifo_io efault         bad pointers fail with EFAULT and move no data
 *   fifo_io hammer W R N   W writers of N bytes each and R readers at once:
 *                          every byte read once (histograms of byte values)
 *
 * A process that must be asleep in the device before the next step is
 * waited for through the device's own counters in /proc/rust_fifo
 * (sleeping_readers, sleeping_writers), not with a guessed delay.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/select.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define DEVICE "/dev/rust_fifo"
#define STATS "/proc/rust_fifo"
/* The module's FIFO_SET_READ_TIMEOUT. */
#define FIFO_SET_READ_TIMEOUT _IOW('f', 1, uint32_t)

static void die(const char *what)
{
	perror(what);
	exit(2);
}

static int open_dev(int flags)
{
	int fd = open(DEVICE, flags);

	if (fd < 0)
		die("open " DEVICE);
	return fd;
}

/* A counter from /proc/rust_fifo ("name value" lines). */
static long stat_of(const char *name)
{
	char line[128];
	size_t len = strlen(name);
	long value = -1;
	FILE *f = fopen(STATS, "r");

	if (!f)
		die(STATS);
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, name, len) && line[len] == ' ')
			value = atol(line + len + 1);
	fclose(f);
	return value;
}

/* Waits (up to 20 s) until counter @name is @want; exits if it never is. */
static void wait_stat(const char *name, long want)
{
	int i;

	for (i = 0; i < 2000; i++) {
		if (stat_of(name) == want)
			return;
		usleep(10000);
	}
	fprintf(stderr, "%s stayed at %ld, not %ld\n", name, stat_of(name), want);
	exit(2);
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* "N" for a count, else the errno's name. */
static const char *result(ssize_t ret, int err)
{
	static char text[8][32];
	static int slot;
	char *out = text[slot++ % 8];

	if (ret >= 0)
		snprintf(out, 32, "%zd", ret);
	else if (err == EAGAIN)
		return "EAGAIN";
	else if (err == EINTR)
		return "EINTR";
	else if (err == EFAULT)
		return "EFAULT";
	else
		snprintf(out, 32, "errno%d", err);
	return out;
}

static const char *do_read(int fd, char *buf, size_t len)
{
	ssize_t n = read(fd, buf, len);

	return result(n, errno);
}

static const char *do_write(int fd, const void *buf, size_t len)
{
	ssize_t n = write(fd, buf, len);

	return result(n, errno);
}

/* Writes @len bytes of 'z' with one write(2). */
static const char *write_n(int fd, size_t len)
{
	char *buf = malloc(len);
	const char *ret;

	memset(buf, 'z', len);
	ret = do_write(fd, buf, len);
	free(buf);
	return ret;
}

/* --- Children: each reports one line through a pipe ----------------------- */

struct child {
	pid_t pid;
	int out;
};

static volatile sig_atomic_t handled;

static void on_signal(int sig)
{
	(void)sig;
	handled++;
}

static void install(int sig, int flags)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sa.sa_flags = flags;
	sigemptyset(&sa.sa_mask);
	if (sigaction(sig, &sa, NULL))
		die("sigaction");
}

enum role { READER, WRITER };

struct job {
	enum role role;
	int fd;          /* the file to use, or -1 to open one */
	size_t len;      /* bytes to read or write */
	int sa_flags;    /* -1: no handler; else SIGUSR1's handler with these flags */
};

/* A child that reads or writes once and reports "read=N data" or "write=N". */
static struct child spawn(struct job job)
{
	int fds[2];
	struct child c;

	if (pipe(fds))
		die("pipe");
	c.pid = fork();
	if (c.pid < 0)
		die("fork");
	if (c.pid == 0) {
		char line[256], buf[128];
		int fd = job.fd;
		ssize_t n;
		int err;

		close(fds[0]);
		if (job.sa_flags >= 0)
			install(SIGUSR1, job.sa_flags);
		if (fd < 0)
			fd = open_dev(job.role == READER ? O_RDONLY : O_WRONLY);
		if (job.role == READER) {
			n = read(fd, buf, job.len < sizeof(buf) ? job.len : sizeof(buf));
			err = errno;
			snprintf(line, sizeof(line), "read=%s%s%.*s", result(n, err), n > 0 ? " " : "",
				 n > 0 ? (int)n : 0, buf);
		} else {
			char *data = malloc(job.len);

			memset(data, 'w', job.len);
			n = write(fd, data, job.len);
			err = errno;
			snprintf(line, sizeof(line), "write=%s", result(n, err));
		}
		if (job.sa_flags >= 0)
			snprintf(line + strlen(line), sizeof(line) - strlen(line), " handler=%d",
				 (int)handled);
		if (write(fds[1], line, strlen(line)) < 0)
			_exit(3);
		_exit(0);
	}
	close(fds[1]);
	c.out = fds[0];
	return c;
}

/* Whether process @pid has not exited yet (it is left to collect()). */
static int running(pid_t pid)
{
	siginfo_t info;

	memset(&info, 0, sizeof(info));
	if (waitid(P_PID, pid, &info, WEXITED | WNOHANG | WNOWAIT))
		die("waitid");
	return info.si_pid == 0;
}

/* Whether the child is still running after @ms milliseconds. */
static int still_running(struct child c, int ms)
{
	usleep(ms * 1000);
	return running(c.pid);
}

/* The child's line, once it has exited; "killed by SIG..." if it was. */
static const char *collect(struct child c)
{
	static char line[8][256];
	static int slot;
	char *out = line[slot++ % 8];
	ssize_t n = read(c.out, out, 255);
	int status;

	out[n > 0 ? n : 0] = 0;
	close(c.out);
	if (waitpid(c.pid, &status, 0) < 0)
		die("waitpid");
	if (WIFSIGNALED(status))
		snprintf(out, 256, "killed by %s", WTERMSIG(status) == SIGKILL ? "SIGKILL" : "another signal");
	return out;
}

/* Empties the pipe through a non-blocking file. */
static void drain(void)
{
	char buf[4096];
	int fd = open_dev(O_RDONLY | O_NONBLOCK);

	while (read(fd, buf, sizeof(buf)) > 0)
		;
	close(fd);
}

/* Fills the pipe through @fd (made non-blocking for it). */
static void fill(int fd)
{
	int flags = fcntl(fd, F_GETFL);
	char buf[4096];

	memset(buf, 'f', sizeof(buf));
	fcntl(fd, F_SETFL, flags | O_NONBLOCK);
	while (write(fd, buf, sizeof(buf)) > 0)
		;
	fcntl(fd, F_SETFL, flags);
}

/* --- Scenarios -------------------------------------------------------------- */

static void nonblock(void)
{
	long capacity = stat_of("capacity");
	int w = open_dev(O_WRONLY | O_NONBLOCK), r = open_dev(O_RDONLY | O_NONBLOCK);
	char *buf = malloc(capacity + 100);

	printf("read=%s ", do_read(r, buf, 10));
	printf("write=%s ", write_n(w, capacity + 100));
	printf("write=%s ", write_n(w, 1));
	printf("read=%s ", do_read(r, buf, 10));
	printf("write=%s ", write_n(w, 20));
	/* The flags are read at each call: fcntl changes take effect at once. */
	fcntl(r, F_SETFL, 0);
	printf("blocking-read=%s ", do_read(r, buf, capacity + 100));
	fcntl(r, F_SETFL, O_NONBLOCK);
	printf("read=%s\n", do_read(r, buf, 1));
	close(r);
	close(w);
	free(buf);
}

static void wake_reader(void)
{
	int w = open_dev(O_WRONLY);
	struct child c = spawn((struct job){ READER, -1, 100, -1 });

	wait_stat("sleeping_readers", 1);
	printf("asleep=%d ", still_running(c, 200));
	printf("write=%s ", do_write(w, "hello", 5));
	printf("reader: %s\n", collect(c));
	close(w);
}

static void wake_writer(void)
{
	int w = open_dev(O_WRONLY), r = open_dev(O_RDONLY);
	char buf[8];
	struct child c;

	fill(w);
	c = spawn((struct job){ WRITER, w, 10, -1 });
	wait_stat("sleeping_writers", 1);
	printf("asleep=%d ", still_running(c, 200));
	printf("read=%s ", do_read(r, buf, 4));
	printf("writer: %s ", collect(c));
	printf("length=%ld\n", stat_of("length"));
	close(w);
	close(r);
	drain();
}

static void one_of_two(void)
{
	long waits = stat_of("read_waits");
	int w = open_dev(O_WRONLY);
	struct child a = spawn((struct job){ READER, -1, 100, -1 });
	struct child b = spawn((struct job){ READER, -1, 100, -1 });
	int a_running, b_running;

	wait_stat("sleeping_readers", 2);
	printf("write=%s ", do_write(w, "1", 1));
	wait_stat("sleeping_readers", 1);
	usleep(300000);
	a_running = running(a.pid);
	b_running = running(b.pid);
	printf("still-asleep=%d sleeping_readers=%ld ", a_running + b_running, stat_of("sleeping_readers"));
	printf("write=%s ", do_write(w, "2", 1));
	printf("readers: %s, %s ", collect(a_running ? b : a), collect(a_running ? a : b));
	/* Each reader slept once: the first write woke one of them, not both. */
	printf("read_waits=+%ld\n", stat_of("read_waits") - waits);
	close(w);
}

static void mask_name(short revents, char *out)
{
	static const struct { short bit; const char *name; } bits[] = {
		{ POLLIN, "IN" }, { POLLRDNORM, "RDNORM" }, { POLLOUT, "OUT" },
		{ POLLWRNORM, "WRNORM" }, { POLLERR, "ERR" }, { POLLHUP, "HUP" },
	};
	size_t i;

	*out = 0;
	for (i = 0; i < sizeof(bits) / sizeof(bits[0]); i++)
		if (revents & bits[i].bit)
			sprintf(out + strlen(out), "%s%s", *out ? "|" : "", bits[i].name);
	if (!*out)
		strcpy(out, "-");
}

/* What poll(2) says about @fd right now. */
static const char *poll_now(int fd)
{
	static char text[8][64];
	static int slot;
	char *out = text[slot++ % 8];
	struct pollfd p = { fd, POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM, 0 };

	if (poll(&p, 1, 0) < 0)
		die("poll");
	mask_name(p.revents, out);
	return out;
}

/*
 * A child that waits (at most 10 s) for @fd to become readable with @how
 * ("poll", "select", "epoll") and reports what it got and whether it was
 * woken before its timeout. It tells the parent through @ready that it is
 * about to wait.
 */
static struct child spawn_waiter(int fd, const char *how, int ready)
{
	int fds[2];
	struct child c;

	if (pipe(fds))
		die("pipe");
	c.pid = fork();
	if (c.pid < 0)
		die("fork");
	if (c.pid == 0) {
		char line[128], mask[64];
		long start;
		int n;

		close(fds[0]);
		if (!strcmp(how, "poll")) {
			struct pollfd p = { fd, POLLIN, 0 };

			start = now_ms();
			if (write(ready, "r", 1) != 1)
				_exit(3);
			n = poll(&p, 1, 10000);
			mask_name(p.revents, mask);
		} else if (!strcmp(how, "select")) {
			fd_set rd;
			struct timeval tv = { 10, 0 };

			FD_ZERO(&rd);
			FD_SET(fd, &rd);
			start = now_ms();
			if (write(ready, "r", 1) != 1)
				_exit(3);
			n = select(fd + 1, &rd, NULL, NULL, &tv);
			strcpy(mask, FD_ISSET(fd, &rd) ? "readable" : "-");
		} else {
			struct epoll_event ev = { .events = EPOLLIN };
			int ep = epoll_create1(0);

			if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev))
				_exit(3);
			start = now_ms();
			if (write(ready, "r", 1) != 1)
				_exit(3);
			n = epoll_wait(ep, &ev, 1, 10000);
			mask_name(n > 0 ? ev.events : 0, mask);
		}
		snprintf(line, sizeof(line), "%s=%d %s %s", how, n, mask,
			 now_ms() - start < 5000 ? "woken" : "timed-out");
		if (write(fds[1], line, strlen(line)) < 0)
			_exit(3);
		_exit(0);
	}
	close(fds[1]);
	c.out = fds[0];
	return c;
}

/* The waiter sleeps in @how on an empty pipe; a write 300 ms later wakes it. */
static void woken_by_write(const char *how)
{
	int w = open_dev(O_WRONLY), r = open_dev(O_RDONLY), ready[2];
	char byte;
	struct child c;

	if (pipe(ready))
		die("pipe");
	c = spawn_waiter(r, how, ready[1]);
	if (read(ready[0], &byte, 1) != 1)
		die("ready");
	usleep(300000);
	printf("asleep=%d ", running(c.pid));
	do_write(w, "p", 1);
	printf("%s\n", collect(c));
	close(ready[0]);
	close(ready[1]);
	close(w);
	close(r);
	drain();
}

static void poll_masks(void)
{
	int w = open_dev(O_WRONLY | O_NONBLOCK), r = open_dev(O_RDONLY | O_NONBLOCK);
	int rw = open_dev(O_RDWR | O_NONBLOCK);
	char buf[8];

	printf("empty: r=%s w=%s rw=%s; ", poll_now(r), poll_now(w), poll_now(rw));
	do_write(w, "x", 1);
	printf("data: r=%s w=%s rw=%s; ", poll_now(r), poll_now(w), poll_now(rw));
	fill(w);
	printf("full: r=%s w=%s; ", poll_now(r), poll_now(w));
	close(w);
	close(rw);
	printf("no writer: r=%s; ", poll_now(r));
	drain();
	printf("no writer, empty: r=%s read=%s\n", poll_now(r), do_read(r, buf, 1));
	close(r);
}

static void select_sets(void)
{
	int w = open_dev(O_WRONLY | O_NONBLOCK), r = open_dev(O_RDONLY | O_NONBLOCK);
	struct timeval tv = { 0, 0 };
	fd_set rd, wr;
	int n;

	FD_ZERO(&rd);
	FD_ZERO(&wr);
	FD_SET(r, &rd);
	FD_SET(w, &wr);
	n = select((r > w ? r : w) + 1, &rd, &wr, NULL, &tv);
	printf("empty: %d r=%d w=%d; ", n, FD_ISSET(r, &rd), FD_ISSET(w, &wr));
	fill(w);
	FD_ZERO(&rd);
	FD_ZERO(&wr);
	FD_SET(r, &rd);
	FD_SET(w, &wr);
	tv.tv_usec = 0;
	n = select((r > w ? r : w) + 1, &rd, &wr, NULL, &tv);
	printf("full: %d r=%d w=%d\n", n, FD_ISSET(r, &rd), FD_ISSET(w, &wr));
	close(w);
	close(r);
	drain();
}

/* How many events epoll_wait reports at once (timeout 0). */
static int events_now(int ep)
{
	struct epoll_event ev[4];

	return epoll_wait(ep, ev, 4, 0);
}

static void epoll_modes(void)
{
	int w = open_dev(O_WRONLY | O_NONBLOCK), r = open_dev(O_RDONLY | O_NONBLOCK);
	int et = epoll_create1(0), lt = epoll_create1(0);
	struct epoll_event ev = { .events = EPOLLIN | EPOLLET };
	char buf[8];

	if (epoll_ctl(et, EPOLL_CTL_ADD, r, &ev))
		die("epoll_ctl ET");
	ev.events = EPOLLIN;
	if (epoll_ctl(lt, EPOLL_CTL_ADD, r, &ev))
		die("epoll_ctl LT");
	printf("empty: et=%d lt=%d; ", events_now(et), events_now(lt));
	do_write(w, "a", 1);
	printf("write: et=%d lt=%d; ", events_now(et), events_now(lt));
	printf("again: et=%d lt=%d; ", events_now(et), events_now(lt));
	do_write(w, "b", 1);
	printf("write: et=%d lt=%d; ", events_now(et), events_now(lt));
	printf("read=%s ", do_read(r, buf, 1));
	printf("et=%d lt=%d; ", events_now(et), events_now(lt));
	printf("read=%s ", do_read(r, buf, 1));
	printf("empty: et=%d lt=%d\n", events_now(et), events_now(lt));
	close(et);
	close(lt);
	close(w);
	close(r);
}

static void signal_eintr(void)
{
	int w = open_dev(O_WRONLY);
	struct child c = spawn((struct job){ READER, -1, 100, 0 });

	wait_stat("sleeping_readers", 1);
	kill(c.pid, SIGUSR1);
	printf("reader: %s; ", collect(c));
	fill(w);
	c = spawn((struct job){ WRITER, w, 10, 0 });
	wait_stat("sleeping_writers", 1);
	kill(c.pid, SIGUSR1);
	printf("writer: %s length=%ld\n", collect(c), stat_of("length"));
	close(w);
	drain();
}

static void signal_restart(void)
{
	int w = open_dev(O_WRONLY);
	long before = stat_of("interrupted");
	struct child c = spawn((struct job){ READER, -1, 100, SA_RESTART });

	wait_stat("sleeping_readers", 1);
	kill(c.pid, SIGUSR1);
	/* The wait ended (ERESTARTSYS), the handler ran, the read restarted. */
	wait_stat("interrupted", before + 1);
	wait_stat("sleeping_readers", 1);
	printf("asleep-again=%d ", still_running(c, 100));
	do_write(w, "x", 1);
	printf("reader: %s; ", collect(c));

	c = spawn((struct job){ READER, -1, 100, -1 });
	wait_stat("sleeping_readers", 1);
	kill(c.pid, SIGSTOP);
	wait_stat("interrupted", before + 2);
	kill(c.pid, SIGCONT);
	wait_stat("sleeping_readers", 1);
	do_write(w, "y", 1);
	printf("stopped and continued: %s\n", collect(c));
	close(w);
}

static void fatal_signal(void)
{
	int w = open_dev(O_WRONLY);
	struct child c = spawn((struct job){ READER, -1, 100, -1 });
	long readers;

	wait_stat("sleeping_readers", 1);
	readers = stat_of("readers");
	kill(c.pid, SIGKILL);
	printf("reader: %s; ", collect(c));
	printf("sleeping_readers=%ld readers=%ld->%ld\n", stat_of("sleeping_readers"), readers,
	       stat_of("readers"));
	close(w);
}

static void read_timeout(void)
{
	int w = open_dev(O_WRONLY), r = open_dev(O_RDONLY), other = open_dev(O_RDONLY);
	uint32_t ms = 300;
	char buf[8];
	long start, took;
	const char *ret;
	struct child c;

	printf("ioctl=%d ", ioctl(r, FIFO_SET_READ_TIMEOUT, &ms));
	start = now_ms();
	ret = do_read(r, buf, 1);
	took = now_ms() - start;
	printf("read=%s after %s; ", ret, took >= 300 && took < 5000 ? "300 ms or more" : "the wrong time");
	/* The timeout belongs to that open file only. */
	c = spawn((struct job){ READER, other, 100, -1 });
	wait_stat("sleeping_readers", 1);
	printf("other file asleep after 600 ms=%d ", still_running(c, 600));
	do_write(w, "t", 1);
	printf("other: %s; timeouts=%ld\n", collect(c), stat_of("timeouts"));
	close(w);
	close(r);
	close(other);
}

static void efault(void)
{
	long page = sysconf(_SC_PAGESIZE);
	int w = open_dev(O_WRONLY | O_NONBLOCK), r = open_dev(O_RDONLY | O_NONBLOCK);
	char *area = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char buf[8] = { 0 };

	if (area == MAP_FAILED)
		die("mmap");
	/* The second page unmapped: a buffer 2 bytes before its start is 2 good bytes. */
	munmap(area + page, page);
	printf("write=%s length=%ld ", do_write(w, (void *)1, 10), stat_of("length"));
	printf("write=%s length=%ld ", do_write(w, area + page - 2, 5), stat_of("length"));
	printf("write=%s ", do_write(w, "hello", 5));
	printf("read=%s length=%ld ", do_read(r, area + page, 5), stat_of("length"));
	printf("read=%s length=%ld ", do_read(r, area + page - 2, 5), stat_of("length"));
	printf("read=%s %s\n", do_read(r, buf, 5), buf);
	close(w);
	close(r);
}

/* --- Many readers and writers at once ----------------------------------------- */

/* Byte @j of writer @i's stream: different for each writer. */
static unsigned char stream_byte(int i, long j)
{
	return (unsigned char)(i * 131 + j * 7 + (j >> 8) + (j >> 13));
}

/* A small pseudo-random chunk size in 1..@max. */
static size_t chunk(unsigned int *seed, size_t max)
{
	*seed = *seed * 1103515245 + 12345;
	return 1 + (*seed >> 8) % max;
}

struct tally {
	unsigned long long total;
	unsigned long long hist[256];
};

/*
 * Writer @i: @bytes bytes of its stream in chunks of 1..3000 bytes; odd
 * writers are O_NONBLOCK and wait in poll(2) when the pipe is full.
 */
static void writer(int i, long bytes, struct tally *t)
{
	int nonblock = i & 1;
	int fd = open_dev(O_WRONLY | (nonblock ? O_NONBLOCK : 0));
	unsigned int seed = 1000 + i;
	char buf[3000];
	long done = 0;

	while (done < bytes) {
		size_t len = chunk(&seed, sizeof(buf)), k;
		ssize_t n;

		if ((long)len > bytes - done)
			len = bytes - done;
		for (k = 0; k < len; k++)
			buf[k] = stream_byte(i, done + k);
		n = write(fd, buf, len);
		if (n < 0 && errno == EAGAIN && nonblock) {
			struct pollfd p = { fd, POLLOUT, 0 };

			poll(&p, 1, -1);
			continue;
		}
		if (n <= 0)
			die("writer");
		for (k = 0; k < (size_t)n; k++)
			t->hist[(unsigned char)buf[k]]++;
		t->total += n;
		done += n;
	}
	close(fd);
}

/* Reader @i: reads until end of file; odd readers are O_NONBLOCK with poll(2). */
static void reader(int i, struct tally *t)
{
	int nonblock = i & 1;
	int fd = open_dev(O_RDONLY | (nonblock ? O_NONBLOCK : 0));
	unsigned int seed = 2000 + i;
	unsigned char buf[3000];

	for (;;) {
		ssize_t n = read(fd, buf, chunk(&seed, sizeof(buf))), k;

		if (n < 0 && errno == EAGAIN && nonblock) {
			struct pollfd p = { fd, POLLIN, 0 };

			poll(&p, 1, -1);
			continue;
		}
		if (n < 0)
			die("reader");
		if (n == 0)
			break;
		for (k = 0; k < n; k++)
			t->hist[buf[k]]++;
		t->total += n;
	}
	close(fd);
}

/* The parent's writer that keeps readers from end of file (-1: none). */
static int hold = -1;

static struct child spawn_worker(int is_writer, int i, long bytes)
{
	int fds[2];
	struct child c;

	if (pipe(fds))
		die("pipe");
	c.pid = fork();
	if (c.pid < 0)
		die("fork");
	if (c.pid == 0) {
		struct tally t;

		memset(&t, 0, sizeof(t));
		close(fds[0]);
		/* Only the parent's copy may keep the pipe open for writing. */
		close(hold);
		if (is_writer)
			writer(i, bytes, &t);
		else
			reader(i, &t);
		if (write(fds[1], &t, sizeof(t)) != sizeof(t))
			_exit(3);
		_exit(0);
	}
	close(fds[1]);
	c.out = fds[0];
	return c;
}

static void add_tally(struct child c, struct tally *sum)
{
	struct tally t;
	size_t got = 0;
	int status, k;

	while (got < sizeof(t)) {
		ssize_t n = read(c.out, (char *)&t + got, sizeof(t) - got);

		if (n <= 0)
			die("tally");
		got += n;
	}
	close(c.out);
	if (waitpid(c.pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status))
		die("worker failed");
	sum->total += t.total;
	for (k = 0; k < 256; k++)
		sum->hist[k] += t.hist[k];
}

static void hammer(int writers, int readers, long bytes)
{
	struct child w[64], r[64];
	struct tally in, out;
	int i;

	memset(&in, 0, sizeof(in));
	memset(&out, 0, sizeof(out));
	/* A writer open from the start, so no reader sees end of file early. */
	hold = open_dev(O_WRONLY);
	for (i = 0; i < readers; i++)
		r[i] = spawn_worker(0, i, 0);
	for (i = 0; i < writers; i++)
		w[i] = spawn_worker(1, i, bytes);
	for (i = 0; i < writers; i++)
		add_tally(w[i], &in);
	close(hold); /* readers now drain the pipe and read end of file */
	for (i = 0; i < readers; i++)
		add_tally(r[i], &out);
	printf("written=%llu read=%llu histograms %s\n", in.total, out.total,
	       memcmp(in.hist, out.hist, sizeof(in.hist)) ? "differ" : "equal");
}

int main(int argc, char **argv)
{
	const char *what = argc > 1 ? argv[1] : "";

	setvbuf(stdout, NULL, _IONBF, 0);
	if (!strcmp(what, "nonblock"))
		nonblock();
	else if (!strcmp(what, "wake-reader"))
		wake_reader();
	else if (!strcmp(what, "wake-writer"))
		wake_writer();
	else if (!strcmp(what, "one-of-two"))
		one_of_two();
	else if (!strcmp(what, "poll"))
		poll_masks(), woken_by_write("poll");
	else if (!strcmp(what, "select"))
		select_sets(), woken_by_write("select");
	else if (!strcmp(what, "epoll"))
		epoll_modes(), woken_by_write("epoll");
	else if (!strcmp(what, "signal"))
		signal_eintr();
	else if (!strcmp(what, "restart"))
		signal_restart();
	else if (!strcmp(what, "kill"))
		fatal_signal();
	else if (!strcmp(what, "timeout"))
		read_timeout();
	else if (!strcmp(what, "efault"))
		efault();
	else if (!strcmp(what, "hammer") && argc == 5 && atoi(argv[2]) <= 64 && atoi(argv[3]) <= 64)
		hammer(atoi(argv[2]), atoi(argv[3]), atol(argv[4]));
	else {
		fprintf(stderr, "usage: fifo_io nonblock|wake-reader|wake-writer|one-of-two|poll|select|"
				"epoll|signal|restart|kill|timeout|efault|hammer W R N\n");
		return 2;
	}
	return 0;
}
