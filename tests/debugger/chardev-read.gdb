# SPDX-License-Identifier: GPL-2.0
# make test's scripted gdb session (scripts/test.sh debugger_tests), run by
# scripts/debug.sh with GDB_BATCH on rust_chardev while the guest runs
# TRIGGER='printf hello >/dev/rust_chardev; cat /dev/rust_chardev' every
# second: cat's first read(2) finds the 5 bytes at offset 0, its second
# the end of the data at offset 5. The "echo @@ ..." lines mark each
# command's output for the checks. The breakpoint is on read's line that
# compares the offset with the size, wherever it is in the file; at first
# only where start is 0, in case gdb attached between a cat's two reads.
python
line = next(n for n, text in enumerate(open("examples/chardev/chardev.rs"), 1)
            if "if start >= contents.size" in text)
gdb.execute("break chardev.rs:%d if start == 0" % line)
end
continue
condition 1
echo @@ bt\n
bt 4
echo @@ info locals\n
info locals
echo @@ p size\n
p contents.mutex.data.value.size
echo @@ finish\n
finish
echo @@ continue\n
continue
echo @@ p start\n
p start
echo @@ detach\n
delete
detach
