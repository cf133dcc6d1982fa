#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Fetch a stock Debian kernel (image + headers) into the user's cache, without root.
#
#   scripts/fetch-kernel.sh 5.10|6.1|6.12            prints the kernel's cache directory
#   scripts/fetch-kernel.sh 6.1-rt|6.12-rt|6.1-cloud|6.12-cloud
#                                                    Debian's PREEMPT_RT and cloud flavours
#   scripts/fetch-kernel.sh trixie|sid               Debian 13's 6.12, sid's newest (also with
#                                                    -rt or -cloud); built in a userland of
#                                                    that release (scripts/userland.sh)
#   scripts/fetch-kernel.sh --source 6.1|6.12        also downloads the same version's
#                                                    source (linux-source-*), prints its tarball
#   scripts/fetch-kernel.sh --modules SERIES PATH... also unpacks these in-tree modules of the
#                                                    same image (PATH as under kernel/ in
#                                                    /lib/modules, without .ko: drivers/input/evdev)
#                                                    into the directory's modules/, prints their paths
#   scripts/fetch-kernel.sh --busybox                prints the path of a static busybox for
#                                                    ARCH's guests (the host's own for x86_64)
#
# ARCH=arm64 (as for make, and kbuild) fetches Debian's arm64 kernel of the series
# instead, into its own directory (debian-SERIES-arm64); its headers come with the
# host's amd64 linux-kbuild, whose programs (modpost, fixdep) run on this machine.
#
# The directory holds:
#   vmlinuz   the kernel image `make run` boots
#   kdir      the headers tree to build against (the KDIR of `make KDIR=...`)
#   version   the package version, for the logs
#   userland  (trixie, sid) the Debian release whose userland builds for it
#
# apt-get runs with a private sources list and private state directories, so the
# system's apt configuration is neither read nor changed. The first call downloads
# about 80 MB; later calls reuse the cache (REFRESH=1 looks for a newer kernel).
set -euo pipefail

source_too=
modules_too=
case ${1:-} in
--source) source_too=1; shift ;;
--modules) modules_too=1; shift ;;
esac
# Debian's name of the kernel's architecture; kbuild's ARCH (x86 and x86_64 are one).
case ${ARCH:-x86_64} in
x86 | x86_64) debarch=amd64 ;;
arm64) debarch=arm64 ;;
*) echo "fetch-kernel: ARCH=$ARCH: no Debian kernels for it here (x86_64 and arm64 are)" >&2; exit 2 ;;
esac
cache=${XDG_CACHE_HOME:-$HOME/.cache}/rust-kmod
# The private apt state of another architecture's packages is kept apart, so that
# the amd64 one (and its lists) stays exactly as it was.
apt=$cache/apt
[[ $debarch == amd64 ]] || apt=$cache/apt-$debarch
if [[ ${1:-} == --busybox ]]; then
	busybox=
	series=
else
	series=${1:?usage: $0 [--source|--modules|--busybox] 5.10|6.1|6.12|trixie|sid[-rt|-cloud] [module path...]}
	shift
fi
wanted_modules=("$@")
dir=$cache/debian-$series
[[ $debarch == amd64 ]] || dir=$dir-$debarch

# modules_present: prints the paths of the wanted modules in $dir/modules;
# fails if one is missing.
modules_present() {
	local path
	for path in "${wanted_modules[@]}"; do
		[[ -e $dir/modules/$(basename "$path").ko ]] || return 1
		echo "$dir/modules/$(basename "$path").ko"
	done
}

# unpack_modules DEB: unpacks the wanted modules from the image package DEB
# into $dir/modules, uncompressed (6.12's are .ko.xz; busybox's insmod reads
# plain ELF only). The image's other modules are left out: the test VM loads
# only the ones an example asks for (examples/<name>/kernel-modules).
unpack_modules() {
	local tmp path found
	((${#wanted_modules[@]})) || return 0
	tmp=$(mktemp -d)
	mkdir -p "$dir/modules"
	for path in "${wanted_modules[@]}"; do
		echo "  UNPACK  $path.ko" >&2
		# (in /lib/modules, or /usr/lib/modules from 7.x on)
		dpkg-deb --fsys-tarfile "$1" | tar -x -C "$tmp" --wildcards "*lib/modules/*/kernel/$path.ko*"
		found=$(find "$tmp" -path "*/kernel/$path.ko*" | head -n 1)
		case $found in
		*.ko.xz) xz -dc "$found" >"$dir/modules/$(basename "$path").ko" ;;
		*.ko) cp "$found" "$dir/modules/" ;;
		*) echo "fetch-kernel: $path.ko is not in $1" >&2; rm -rf "$tmp"; return 1 ;;
		esac
	done
	rm -rf "$tmp"
}

if [[ -v busybox && $debarch == amd64 ]]; then
	echo /bin/busybox
	exit 0
elif [[ -v busybox ]]; then
	busybox=$cache/busybox-$debarch/busybox
	if [[ -x $busybox && -z ${REFRESH:-} ]]; then
		echo "$busybox"
		exit 0
	fi
elif [[ -e $dir/ready && -z ${REFRESH:-} && -z $source_too ]]; then
	if [[ -z $modules_too ]]; then
		echo "$dir"
		exit 0
	fi
	modules_present && exit 0
fi

# What the image package of each series is called (the suites that carry
# them are in the sources list below). A flavour (-rt: PREEMPT_RT, -cloud)
# is a suffix of the series and of the package's name. A series named after
# a Debian release has its own sources list and is built in that release's
# userland (release=).
flavour=
release=
case $series in
*-rt | *-cloud) flavour=-${series##*-} ;;
esac
case ${series%"$flavour"} in
'') pattern= ;; # --busybox
5.10) pattern='^linux-image-5\.10\.0-[0-9]+' ;;
6.1)  pattern='^linux-image-6\.1\.0-[0-9]+' ;;
6.12) pattern='^linux-image-6\.12\.[0-9]+\+(bpo|deb12)' ;;
trixie) pattern='^linux-image-6\.12\.[0-9]+\+deb13'; release=trixie ;;
sid) pattern='^linux-image-[0-9]+\.[0-9]+(\.[0-9]+)?\+deb[0-9]+'; release=sid ;;
*) echo "fetch-kernel: unknown kernel series '$series' (known: 5.10, 6.1, 6.12, trixie, sid, each also with -rt or -cloud)" >&2; exit 2 ;;
esac
pattern="$pattern$flavour-$debarch\$"

for tool in apt-get apt-cache dpkg-deb; do
	command -v $tool >/dev/null || { echo "fetch-kernel: '$tool' not found (this needs a Debian-based host)" >&2; exit 1; }
done

# A release's series (trixie, sid) has its own sources list, so its own apt state.
[[ -z $release ]] || apt=$apt-$release
mkdir -p "$apt/lists/partial" "$apt/archives/partial" ${series:+"$dir"}
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
[[ -r $keyring ]] || { echo "fetch-kernel: $keyring missing (apt-get install debian-archive-keyring)" >&2; exit 1; }
# Debian 11 (bullseye) has 5.10, Debian 12 (bookworm) 6.1, and bookworm's
# security and backports suites 6.12. A changed list means a new update.
# A release's series (trixie, sid) has a list of its own, in apt-<release>.
suites=(bullseye bullseye-updates bookworm bookworm-updates bookworm-backports)
security=(bullseye-security bookworm-security)
case $release in
'') ;;
sid) suites=(sid) security=() ;;
*) suites=("$release" "$release-updates") security=("$release-security") ;;
esac
sources=$(
	for suite in "${suites[@]}"; do
		echo "deb [signed-by=$keyring] http://deb.debian.org/debian $suite main"
	done
	for suite in "${security[@]}"; do
		echo "deb [signed-by=$keyring] http://deb.debian.org/debian-security $suite main"
	done
)
if [[ $(cat "$apt/sources.list" 2>/dev/null) != "$sources" ]]; then
	echo "$sources" >"$apt/sources.list"
	rm -f "$apt/updated"
fi

aptopts=(
	-o Dir::Etc::SourceList="$apt/sources.list" -o Dir::Etc::SourceParts=/dev/null
	-o Dir::State::Lists="$apt/lists" -o Dir::Cache="$apt" -o Dir::Cache::archives="$apt/archives"
	-o Dir::State::status=/dev/null -o Debug::NoLocking=1 -o APT::Sandbox::User="$(id -un)"
	-o APT::Architecture="$debarch" -q
)
# Another architecture's kernel comes with the host's (amd64) kbuild programs.
[[ $debarch == amd64 ]] || aptopts+=(-o APT::Architectures::="$debarch" -o APT::Architectures::=amd64)

if [[ ! -e $apt/updated || -n ${REFRESH:-} ]]; then
	echo "  APT     update Debian package lists ($apt)" >&2
	apt-get "${aptopts[@]}" update >"$apt/update.log" 2>&1 ||
		{ cat "$apt/update.log" >&2; echo "fetch-kernel: apt-get update failed" >&2; exit 1; }
	touch "$apt/updated"
fi

# --busybox: bookworm's busybox-static for the guest's architecture, unpacked.
if [[ -v busybox ]]; then
	echo "  APT     download busybox-static:$debarch" >&2
	(cd "$apt/archives" && apt-get "${aptopts[@]}" download "busybox-static:$debarch" >"$apt/download.log" 2>&1) ||
		{ cat "$apt/download.log" >&2; echo "fetch-kernel: apt-get download failed" >&2; exit 1; }
	rm -rf "$cache/busybox-$debarch"
	mkdir -p "$cache/busybox-$debarch"
	dpkg-deb --fsys-tarfile "$apt/archives/busybox-static_"*"_$debarch.deb" |
		tar -xO ./bin/busybox >"$busybox.part"
	chmod +x "$busybox.part"
	mv "$busybox.part" "$busybox"
	rm -f "$apt/archives/"*.deb
	echo "$busybox"
	exit 0
fi

# --source: Debian's kernel source for the version already unpacked here, as the
# linux-source-<series> package ships it (Debian's patches applied, one tarball).
if [[ -n $source_too && -e $dir/ready && -z ${REFRESH:-} ]]; then
	version=$(cat "$dir/version")
	tarball=$dir/linux-source-$series-$version.tar.xz
	if [[ ! -e $tarball ]]; then
		echo "  APT     download linux-source-$series $version" >&2
		(cd "$apt/archives" && apt-get "${aptopts[@]}" download "linux-source-$series=$version" \
			>"$apt/download.log" 2>&1) ||
			{ cat "$apt/download.log" >&2; echo "fetch-kernel: apt-get download failed" >&2; exit 1; }
		dpkg-deb --fsys-tarfile "$apt/archives/linux-source-${series}_"*.deb |
			tar -xO "./usr/src/linux-source-$series.tar.xz" >"$tarball.part"
		mv "$tarball.part" "$tarball"
		rm -f "$apt/archives/"*.deb
	fi
	echo "$tarball"
	exit 0
fi

# --modules on a kernel fetched before: the same version's image again, for
# its modules only (the rest of the directory stays as it is).
if [[ -n $modules_too && -e $dir/ready && -z ${REFRESH:-} ]]; then
	version=$(cat "$dir/version")
	abi=$(basename "$(readlink "$dir/kdir")")
	image=$(cat "$dir/modules-package" 2>/dev/null || echo "linux-image-${abi#linux-headers-}")
	echo "  APT     download $image $version (for its modules)" >&2
	(cd "$apt/archives" && apt-get "${aptopts[@]}" download "$image=$version" >"$apt/download.log" 2>&1) ||
		{ cat "$apt/download.log" >&2; echo "fetch-kernel: apt-get download failed" >&2; exit 1; }
	unpack_modules "$apt/archives/${image}_"*.deb || exit 1
	rm -f "$apt/archives/${image}_"*.deb
	modules_present
	exit
fi

# The newest image of the series; its headers, -common headers and kbuild come from its Depends.
images=$(apt-cache "${aptopts[@]}" pkgnames linux-image-)
candidates=$(grep -E "$pattern" <<<"$images" | sort -rV || true)
if [[ -z $candidates ]]; then
	echo "fetch-kernel: no Debian package matches $pattern in the suites of $apt/sources.list;" >&2
	echo "  the kernel images there are:" >&2
	grep -E '^linux-image-[0-9]' <<<"$images" | grep -vE -- '-(dbg|unsigned)$' | sort -V | sed 's/^/    /' >&2
	exit 1
fi
# kbuild's programs run on this machine: the amd64 package, whatever the kernel's.
kbuild_arch=
[[ $debarch == amd64 ]] || kbuild_arch=:amd64
# A mirror may list a kernel whose packages it does not have (yet) for every
# architecture (bullseye-security's newest arm64 5.10 kernels, while the amd64
# ones download): the newest that downloads is taken then, and said so.
image=
for candidate in $candidates; do
	version=$(apt-cache "${aptopts[@]}" show "$candidate" | sed -n 's/^Version: //p' | sort -V | tail -n 1)
	headers=${candidate/linux-image-/linux-headers-}
	if ! deps=$(apt-cache "${aptopts[@]}" show "$headers=$version" 2>/dev/null | sed -n 's/^Depends: //p' | head -n 1); then
		echo "fetch-kernel: $candidate $version has no $headers listed; trying the one before it" >&2
		continue
	fi
	# (-common, or -common-rt for the rt flavour)
	common=$(grep -oE 'linux-headers-[^ ,]+-common(-rt)?' <<<"$deps" | head -n 1)
	kbuild=$(grep -oE 'linux-kbuild-[^ ,]+' <<<"$deps" | head -n 1)
	[[ -n $common && -n $kbuild ]] || { echo "fetch-kernel: cannot read the Depends of $headers: $deps" >&2; exit 1; }
	kbuild_version=$(apt-cache "${aptopts[@]}" show "$kbuild$kbuild_arch" | sed -n 's/^Version: //p' | grep -Fx "$version" || true)
	# From 7.x on, linux-image-<abi> is a small package that depends on the
	# kernel (linux-binary-<abi>, /usr/lib/modules/<abi>/vmlinuz) and its
	# modules (linux-modules-<abi>); before, the image package has both.
	image_deps=$(apt-cache "${aptopts[@]}" show "$candidate=$version" | sed -n 's/^Depends: //p' | head -n 1)
	binary=$(grep -oE 'linux-binary-[^ ,]+' <<<"$image_deps" | head -n 1 || true)
	modules=$(grep -oE 'linux-modules-[^ ,]+' <<<"$image_deps" | head -n 1 || true)

	echo "  APT     download $candidate $version" >&2
	if (cd "$apt/archives" && apt-get "${aptopts[@]}" download "$candidate=$version" "$headers=$version" \
		"$common=$version" "$kbuild$kbuild_arch${kbuild_version:+=$kbuild_version}" \
		${binary:+"$binary=$version"} >"$apt/download.log" 2>&1); then
		image=$candidate
		break
	fi
	grep -E '^(E|Err):' "$apt/download.log" | sed 's/^/    /' >&2
	echo "fetch-kernel: $candidate $version did not download; trying the one before it" >&2
	rm -f "$apt/archives/"*.deb
done
[[ -n $image ]] || { cat "$apt/download.log" >&2; echo "fetch-kernel: apt-get download failed" >&2; exit 1; }
[[ $image == "$(head -n 1 <<<"$candidates")" ]] ||
	echo "fetch-kernel: NOTE: took $image $version, not the newest, $(head -n 1 <<<"$candidates"), which did not download" >&2

root=$dir/root
rm -rf "$root" "$dir/ready"
mkdir -p "$root"
for pkg in "$headers" "$common" "$kbuild"; do
	echo "  UNPACK  $pkg" >&2
	dpkg-deb -x "$apt/archives/${pkg}_"*.deb "$root"
done
# Only the kernel itself is needed to boot it: the test VM loads no module
# from disk but those an example asks for (--modules, unpacked next).
abi=${image#linux-image-}
if [[ -n $binary ]]; then
	echo "  UNPACK  $binary (vmlinuz)" >&2
	mkdir -p "$root/boot"
	dpkg-deb --fsys-tarfile "$apt/archives/${binary}_"*.deb |
		tar -xO "./usr/lib/modules/$abi/vmlinuz" >"$root/boot/vmlinuz-$abi"
else
	echo "  UNPACK  $image (/boot)" >&2
	dpkg-deb --fsys-tarfile "$apt/archives/${image}_"*.deb | tar -x -C "$root" ./boot
fi
rm -rf "$dir/modules"
# (the package with the modules, for --modules later)
echo "${modules:-$image}" >"$dir/modules-package"
if [[ -n $modules && ${#wanted_modules[@]} -gt 0 ]]; then
	(cd "$apt/archives" && apt-get "${aptopts[@]}" download "$modules=$version" >"$apt/download.log" 2>&1) ||
		{ cat "$apt/download.log" >&2; echo "fetch-kernel: apt-get download failed" >&2; exit 1; }
fi
unpack_modules "$apt/archives/${modules:-$image}_"*.deb

kdir=$root/usr/src/linux-headers-$abi
# The headers Makefile includes the -common tree by its installed path, /usr/src/...;
# point it at the unpacked copy instead.
sed -i "s|/usr/src/|$root/usr/src/|g" "$kdir/Makefile"

ln -sfn "$kdir" "$dir/kdir"
ln -sfn "$(ls "$root"/boot/vmlinuz-*)" "$dir/vmlinuz"
echo "$version" >"$dir/version"
if [[ -n $release ]]; then
	echo "$release" >"$dir/userland"
else
	rm -f "$dir/userland"
fi
rm -f "$apt/archives/"*.deb
touch "$dir/ready"
if [[ -n $source_too ]]; then
	exec "$0" --source "$series"
fi
if [[ -n $modules_too ]]; then
	modules_present
	exit
fi
echo "$dir"
