/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The start of a kprobe event's format file, as the kernel writes it: the
 * common fields, the probe address, then (both fuzzed events have it) an
 * s32 dfd at offset 16. A target appends its own fields from offset 20. */
#ifndef SNOOP_FUZZ_KPROBE_COMMON_H
#define SNOOP_FUZZ_KPROBE_COMMON_H

#define KPROBE_FORMAT_HEAD(name, id)                                                        \
	"name: " name "\n"                                                                  \
	"ID: " id "\n"                                                                      \
	"format:\n"                                                                         \
	"\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"             \
	"\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;\n"             \
	"\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;\n"     \
	"\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n"                         \
	"\n"                                                                                \
	"\tfield:unsigned long __probe_ip;\toffset:8;\tsize:8;\tsigned:0;\n"               \
	"\tfield:s32 dfd;\toffset:16;\tsize:4;\tsigned:1;\n"

#endif
