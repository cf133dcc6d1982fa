// SPDX-License-Identifier: GPL-2.0
/* The C half of the own-module test's module (lastword.h). */
#include "lastword.h"

bool lastword_fits(size_t count)
{
	return count <= lastword_capacity();
}
