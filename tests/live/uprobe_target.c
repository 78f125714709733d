// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The target of tests/live/kprobe_uprobe.sh: waits until the file given
 * exists, then calls greet(i, "word-i") for i = 1..COUNT and getpid()
 * COUNT times, printing what each greet() returned: the ground truth the
 * test compares kprobe's u: and ur: records with.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Not inlined, not folded: a real function entry and return to probe. */
__attribute__((noinline, used)) int greet(int n, const char *s)
{
	return n * 100 + (int)strlen(s);
}

int main(int argc, char **argv)
{
	char word[32];
	int count;

	if (argc != 3) {
		fprintf(stderr, "usage: uprobe_target GOFILE COUNT\n");
		return 2;
	}
	count = atoi(argv[2]);
	while (access(argv[1], F_OK) != 0)
		usleep(10000);
	for (int i = 1; i <= count; i++) {
		/* volatile: the call may not be moved or merged. */
		int (*volatile fn)(int, const char *) = greet;

		snprintf(word, sizeof(word), "word-%d", i);
		printf("%d %s %d\n", i, word, fn(i, word));
		(void)getpid();
	}
	return 0;
}
