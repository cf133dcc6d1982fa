// SPDX-License-Identifier: GPL-2.0
/*
 * vinput_events: finds rust_vinput's keyboard among /dev/input/event*, by the
 * name the module gave it (EVIOCGNAME), and reads the struct input_event
 * records it sends, for examples/vinput/test.sh. Each run prints one line,
 * which test.sh compares with the exact expected line.
 *
 *   vinput_events find          the keyboard's event device: /dev/input/eventN
 *   vinput_events type TEXT     opens the event device, writes TEXT to
 *                               /dev/rust_vinput, then prints what write(2)
 *                               returned and every event that came, until
 *                               none has for half a second:
 *                               "write=2 events: KEY_H:1 SYN KEY_H:0 SYN ..."
 *                               (KEY_<name>:<value>, 1 pressed, 0 released;
 *                               SYN for EV_SYN/SYN_REPORT)
 *   vinput_events efault        the same for a write(2) of 4 bytes from a
 *                               page that cannot be read (PROT_NONE)
 *   vinput_events hold          opens the event device, prints "open", and
 *                               reads: what the read ended with once the
 *                               keyboard went away ("read=ENODEV"), then
 *                               what EVIOCGNAME gets on the same file.
 *
 * The event device is opened before the write, so none of its events is
 * missed: evdev queues, for each open file, what comes after the open.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/input.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#define NAME "Rust virtual keyboard"
#define DEVICE "/dev/rust_vinput"

static void die(const char *what)
{
	perror(what);
	exit(2);
}

/* "<prefix><n>", for a value that has no name below. */
static const char *numbered(const char *prefix, int n)
{
	static char name[32];

	snprintf(name, sizeof(name), "%s%d", prefix, n);
	return name;
}

/* The errno's name for the few a test expects, its number otherwise. */
static const char *err_name(int err)
{
	switch (err) {
	case EINVAL: return "EINVAL";
	case ENODEV: return "ENODEV";
	case EFAULT: return "EFAULT";
	case EIO: return "EIO";
	}
	return numbered("errno", err);
}

/* Finds the event device named NAME; its path goes into @path. */
static int find(char *path, size_t size)
{
	struct dirent *entry;
	DIR *dir = opendir("/dev/input");
	int found = 0;

	if (!dir)
		die("opendir /dev/input");
	while (!found && (entry = readdir(dir))) {
		char name[256] = "";
		int fd;

		if (strncmp(entry->d_name, "event", 5))
			continue;
		snprintf(path, size, "/dev/input/%s", entry->d_name);
		fd = open(path, O_RDONLY);
		if (fd < 0)
			continue;
		if (ioctl(fd, EVIOCGNAME(sizeof(name) - 1), name) >= 0 && !strcmp(name, NAME))
			found = 1;
		close(fd);
	}
	closedir(dir);
	return found;
}

static int open_keyboard(void)
{
	char path[300];
	int fd;

	if (!find(path, sizeof(path))) {
		fprintf(stderr, "no event device named \"%s\" in /dev/input\n", NAME);
		exit(1);
	}
	fd = open(path, O_RDONLY);
	if (fd < 0)
		die(path);
	return fd;
}

static const char *key_name(unsigned int code)
{
	switch (code) {
	case KEY_A: return "KEY_A";
	case KEY_H: return "KEY_H";
	case KEY_I: return "KEY_I";
	case KEY_LEFTSHIFT: return "KEY_LEFTSHIFT";
	}
	return numbered("KEY_", code);
}

static void print_event(const struct input_event *ev)
{
	if (ev->type == EV_SYN && ev->code == SYN_REPORT)
		printf(" SYN");
	else if (ev->type == EV_SYN && ev->code == SYN_DROPPED)
		printf(" SYN_DROPPED");
	else if (ev->type == EV_KEY)
		printf(" %s:%d", key_name(ev->code), ev->value);
	else
		printf(" EV%u:%u:%d", ev->type, ev->code, ev->value);
}

/* @text NULL: write 4 bytes from a page that cannot be read. */
static int type(const char *text)
{
	int fd = open_keyboard(), dev = open(DEVICE, O_WRONLY);
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	struct input_event ev[64];
	ssize_t n;

	if (dev < 0)
		die(DEVICE);
	if (text) {
		n = write(dev, text, strlen(text));
	} else {
		void *none = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (none == MAP_FAILED)
			die("mmap");
		n = write(dev, none, 4);
	}
	if (n < 0)
		printf("write=%s events:", err_name(errno));
	else
		printf("write=%zd events:", n);
	close(dev);
	while (poll(&pfd, 1, 500) > 0) {
		n = read(fd, ev, sizeof(ev));
		if (n <= 0)
			break;
		for (size_t i = 0; i < (size_t)n / sizeof(ev[0]); i++)
			print_event(&ev[i]);
	}
	printf("\n");
	close(fd);
	return 0;
}

static int hold(void)
{
	int fd = open_keyboard();
	struct input_event ev;
	char name[256];
	ssize_t n;

	printf("open\n");
	fflush(stdout);
	/* Events (a key released as the keyboard goes) are not what is asked. */
	while ((n = read(fd, &ev, sizeof(ev))) > 0)
		;
	if (n == 0)
		printf("read=EOF");
	else
		printf("read=%s", err_name(errno));
	if (ioctl(fd, EVIOCGNAME(sizeof(name) - 1), name) < 0)
		printf(" EVIOCGNAME=%s", err_name(errno));
	else
		printf(" EVIOCGNAME=ok");
	printf(" close=%s\n", close(fd) ? err_name(errno) : "ok");
	return 0;
}

int main(int argc, char **argv)
{
	char path[300];

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 2 && !strcmp(argv[1], "find")) {
		if (!find(path, sizeof(path)))
			return 1;
		printf("%s\n", path);
		return 0;
	}
	if (argc == 3 && !strcmp(argv[1], "type"))
		return type(argv[2]);
	if (argc == 2 && !strcmp(argv[1], "efault"))
		return type(NULL);
	if (argc == 2 && !strcmp(argv[1], "hold"))
		return hold();
	fprintf(stderr, "usage: %s find | type TEXT | efault | hold\n", argv[0]);
	return 2;
}
