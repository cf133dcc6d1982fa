# SPDX-License-Identifier: GPL-2.0
# placeholder
. /lib.sh
load rust_params
unload rust_params
load_unload_twice rust_params
finish
