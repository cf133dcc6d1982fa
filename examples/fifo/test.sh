# SPDX-License-Identifier: GPL-2.0
# rust_fifo in the guest: /dev/rust_fifo is a bounded byte pipe with blocking
# and non-blocking I/O, poll/select/epoll and signals; /proc/rust_fifo counts.
. /lib.sh

dev=/dev/rust_fifo
counter() { sed -n "s/^$1 //p" /proc/rust_fifo; }

load rust_fifo
expect "init logs that the device is ready, with the default capacity" \
	"rust_fifo: /dev/rust_fifo is ready (4096 bytes)" "$(kernel_log | grep rust_fifo | grep -v taint)"
expect "$dev is a character device that anyone may read and write" "crw-rw-rw-" "$(ls -l $dev | cut -c1-10)"
expect "/proc/rust_fifo starts with the capacity and nothing stored or open" \
	"capacity 4096|length 0|readers 0|writers 0|sleeping_readers 0|sleeping_writers 0" \
	"$(head -n 6 /proc/rust_fifo | tr '\n' '|' | sed 's/|$//')"

# Shell tools: the device keeps what is written until it is read.
echo hello >$dev
expect "what echo wrote, cat reads back, then end of file (no writer is open)" "hello" "$(cat $dev)"
expect "an empty pipe with no writer reads as end of file at once" "0" "$(cat $dev | wc -c)"

/fifo_io nonblock >/tmp/out
expect "O_NONBLOCK: EAGAIN when empty and when full, short writes, fcntl(F_SETFL) seen at the next call" \
	"read=EAGAIN write=4096 write=EAGAIN read=10 write=10 blocking-read=4096 read=EAGAIN" "$(cat /tmp/out)"
expect "a sleeping reader gets exactly the 5 bytes one write adds" \
	"asleep=1 write=5 reader: read=5 hello" "$(/fifo_io wake-reader)"
expect "a sleeping writer of 10 bytes stores exactly the 4 that one read freed" \
	"asleep=1 read=4 writer: write=4 length=4096" "$(/fifo_io wake-writer)"
expect "one byte wakes one of two sleeping readers; the other sleeps on until the next byte" \
	"write=1 still-asleep=1 sleeping_readers=1 write=1 readers: read=1 1, read=1 2 read_waits=+2" \
	"$(/fifo_io one-of-two)"

# poll, select, epoll.
expect "poll(2): readable with data, writable with room, HUP when empty with no writer" \
	"empty: r=- w=OUT|WRNORM rw=OUT|WRNORM; data: r=IN|RDNORM w=OUT|WRNORM rw=IN|RDNORM|OUT|WRNORM; full: r=IN|RDNORM w=-; no writer: r=IN|RDNORM; no writer, empty: r=HUP read=0|asleep=1 poll=1 IN woken" \
	"$(/fifo_io poll | tr '\n' '|' | sed 's/|$//')"
expect "select(2): the read and write sets, and a select woken by a write" \
	"empty: 1 r=0 w=1; full: 1 r=1 w=0|asleep=1 select=1 readable woken" \
	"$(/fifo_io select | tr '\n' '|' | sed 's/|$//')"
expect "epoll: edge-triggered reports each write once, level-triggered while data is left; epoll_wait woken by a write" \
	"empty: et=0 lt=0; write: et=1 lt=1; again: et=0 lt=1; write: et=1 lt=1; read=1 et=0 lt=1; read=1 empty: et=0 lt=0|asleep=1 epoll=1 IN woken" \
	"$(/fifo_io epoll | tr '\n' '|' | sed 's/|$//')"

# Signals.
expect "a signal without SA_RESTART: the sleeping reader and writer fail with EINTR, nothing is stored" \
	"reader: read=EINTR handler=1; writer: write=EINTR handler=1 length=4096" "$(/fifo_io signal)"
expect "with SA_RESTART the handler runs and the read restarts; after SIGSTOP and SIGCONT too" \
	"asleep-again=1 reader: read=1 x handler=1; stopped and continued: read=1 y" "$(/fifo_io restart)"
expect "SIGKILL kills a sleeping reader, and its file is closed" \
	"reader: killed by SIGKILL; sleeping_readers=0 readers=1->0" "$(/fifo_io kill)"
expect "a file's read timeout (ioctl) ends its read with EAGAIN; another file of the device waits on" \
	"ioctl=0 read=EAGAIN after 300 ms or more; other file asleep after 600 ms=1 other: read=1 t; timeouts=1" \
	"$(/fifo_io timeout)"
expect "bad user pointers fail with EFAULT and neither add nor take a byte" \
	"write=EFAULT length=0 write=EFAULT length=0 write=5 read=EFAULT length=5 read=EFAULT length=5 read=5 hello" \
	"$(/fifo_io efault)"
expect "each of the 5 waits a signal ended (SIGUSR1 x3, SIGSTOP, SIGKILL) was counted; the pipe is empty" "5 0" \
	"$(counter interrupted) $(counter length)"

# Many readers and writers at once (the VM has 2 CPUs).
before=$(counter bytes_read)
expect "4 writers x 300000 bytes and 3 readers at once: every byte read exactly once" \
	"written=1200000 read=1200000 histograms equal" "$(/fifo_io hammer 4 3 300000)"
expect "the counters agree: 1200000 more bytes read, none left, nobody open or asleep" \
	"1200000 0 0 0 0 0" \
	"$(($(counter bytes_read) - before)) $(counter length) $(counter readers) $(counter writers) $(counter sleeping_readers) $(counter sleeping_writers)"

# A sleeping reader keeps the module in.
exec 3>$dev
# (3>&-: cat must not inherit the writer, or it would never read end of file)
cat $dev >/tmp/cat.out 3>&- &
reader=$!
for _ in $(seq 100); do [ "$(counter sleeping_readers)" = 1 ] && break; sleep 0.1; done
expect "cat sleeps in read on the empty pipe while a writer is open" "1" "$(counter sleeping_readers)"
out=$(rmmod rust_fifo 2>&1)
status=$?
check "rmmod while a reader sleeps in the device fails" [ "$status" != 0 ]
expect "... with EAGAIN (the open file holds a reference on the module)" \
	"rmmod: can't unload module 'rust_fifo': Resource temporarily unavailable" "$out"
echo bye >&3
exec 3>&-
wait $reader
expect "closing the last writer ends the sleeping cat with the data and end of file" "bye" "$(cat /tmp/cat.out)"
unload rust_fifo
check "$dev and /proc/rust_fifo are gone after rmmod" eval "[ ! -e $dev ] && [ ! -e /proc/rust_fifo ]"

# The capacity parameter; large pipes come from kvmalloc (vmalloc).
check "insmod with capacity=0 fails" eval "! insmod /rust_fifo.ko capacity=0 2>/dev/null"
check "insmod with capacity=1048577 (over 1 MiB) fails" eval "! insmod /rust_fifo.ko capacity=1048577 2>/dev/null"
load rust_fifo capacity=1048576
expect "a 1 MiB pipe (vmalloc-backed) holds 1048576 bytes" "1048576" "$(counter capacity)"
head -c 1048576 /dev/urandom >/tmp/big
expect "one write of 1 MiB fills it" "1+0 records out 1048576" \
	"$(dd if=/tmp/big of=$dev bs=1048576 2>&1 | grep 'records out') $(counter length)"
expect "... and the same bytes come back" "$(md5sum </tmp/big)" "$(md5sum <$dev)"
unload rust_fifo
load_unload_twice rust_fifo
finish
