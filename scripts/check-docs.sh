#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The docs quote the code; they never carry code of their own. Every fenced
# block of source (rust, c, sh, make, toml, json) in README.md and docs/ must
# be preceded by a line naming its file, "From `path`:", and be an exact,
# contiguous excerpt of that file. (Commands to type go in ```console blocks,
# output in ```text blocks; those are not checked.)
#
#   scripts/check-docs.sh        prints one line per problem; exits 1 if any
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Split the quoted blocks out: $tmp/<n> holds block n, $tmp/list one line per
# block: "<md>:<line> <lang> <path>" (path "-" when no From line names one).
awk -v dir="$tmp" '
FNR == 1 { inside = 0; last = "" }
inside && /^```/ { inside = 0; close(out); last = ""; next }
inside { print > out; next }
/^```(rust|c|sh|bash|make|makefile|toml|json)$/ {
	n++
	lang = substr($0, 4)
	path = "-"
	if (match(last, /From `[^`]+`:/))
		path = substr(last, RSTART + 6, RLENGTH - 8)
	out = dir "/" n
	printf "" > out
	print FILENAME ":" FNR, lang, path > (dir "/list")
	inside = 1
	next
}
NF { last = $0 }
' README.md docs/*.md docs/*/*.md 2>/dev/null

problems=0
n=0
[[ -f $tmp/list ]] || exit 0
while read -r where lang path; do
	n=$((n + 1))
	if [[ $path == - ]]; then
		echo "$where: a $lang block without a \"From \`path\`:\" line before it"
		problems=$((problems + 1))
	elif [[ ! -f $path ]]; then
		echo "$where: quotes $path, which does not exist"
		problems=$((problems + 1))
	elif ! awk 'BEGIN { RS = "\001" } NR == FNR { block = $0; next } { exit index($0, block) == 0 }' \
		"$tmp/$n" "$path"; then
		echo "$where: the $lang block is not an exact excerpt of $path"
		problems=$((problems + 1))
	fi
done <"$tmp/list"
((problems == 0))
