#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make bench: to be written.
echo "bench: not written yet" >&2
exit 1
