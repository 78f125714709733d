// SPDX-License-Identifier: GPL-2.0-or-later
#include "opensnoop.h"

int opensnoop_setup_libc(struct opensnoop *x)
{
	snoop_err(x->s, "--libc is not implemented yet");
	return -1;
}
