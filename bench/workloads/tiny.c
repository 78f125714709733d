// SPDX-License-Identifier: GPL-2.0-or-later
/* bench_tiny: the smallest static program, exec'd by execstorm. No libc:
 * _start makes the exit_group syscall directly (x86_64 and aarch64). */
void _start(void)
{
#if defined(__x86_64__)
	__asm__ volatile("mov $231, %eax\n\txor %edi, %edi\n\tsyscall");
#elif defined(__aarch64__)
	__asm__ volatile("mov x8, #94\n\tmov x0, #0\n\tsvc #0");
#else
#error "bench_tiny: add the exit_group syscall of this architecture"
#endif
	for (;;) {
	}
}
