// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * --libc: paths without kprobes, from uprobes on the C library's open
 * functions (open/open64, openat/openat64, and __open_nocancel, which
 * fopen() and friends use). A uprobe runs in the caller's context before the
 * syscall, so it can fetch the path string the syscall will get; its record
 * is matched to the syscalls:sys_enter_* record of the same thread that
 * carries the same string address, and only then trusted.
 *
 * Limits (also in the man page): only programs that map the probed C
 * library file (the one opensnoop itself uses, and with -p the target's);
 * statically linked programs, other C libraries (musl, a container's
 * glibc), raw syscall(2) and io_uring opens get no path.
 */
#include <elf.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <snoop/tracefs.h>

#include "opensnoop.h"

static char *dup_bytes(const char *p, size_t n)
{
	char *d = malloc(n + 1);

	if (!d)
		abort();
	memcpy(d, p, n);
	d[n] = '\0';
	return d;
}

/* The C library file pid maps ("self" for ours). */
static char *find_libc(const char *pid)
{
	char path[64], *maps, *line, *save = NULL, *found = NULL;

	snprintf(path, sizeof(path), "/proc/%s/maps", pid);
	maps = snoop_read_file(path, NULL);
	if (!maps)
		return NULL;
	for (line = strtok_r(maps, "\n", &save); line && !found; line = strtok_r(NULL, "\n", &save)) {
		char *file = strchr(line, '/');
		const char *base;

		if (!file)
			continue;
		base = strrchr(file, '/') + 1;
		if (strncmp(base, "libc.so", 7) == 0 || strncmp(base, "libc-2.", 7) == 0)
			found = strdup(file);
	}
	free(maps);
	return found;
}

struct libc_sym {
	const char *name;
	int path_arg; /* which argument is the path */
};

static const struct libc_sym syms[] = {
	{ "open", 0 }, { "open64", 0 }, { "__open_nocancel", 0 }, { "__open64_nocancel", 0 },
	{ "openat", 1 }, { "openat64", 1 },
};
#define NSYMS (sizeof(syms) / sizeof(syms[0]))

/* File offsets of syms in the ELF file at path (0 when absent). */
static int elf_offsets(const char *path, uint64_t off[NSYMS])
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	const unsigned char *m;
	const Elf64_Ehdr *eh;
	const Elf64_Shdr *sh;
	const Elf64_Phdr *ph;
	int ret = -1;

	memset(off, 0, NSYMS * sizeof(off[0]));
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0 || (size_t)st.st_size < sizeof(Elf64_Ehdr)) {
		close(fd);
		return -1;
	}
	m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (m == MAP_FAILED)
		return -1;
	eh = (const Elf64_Ehdr *)m;
	if (memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0 || eh->e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh->e_shoff + (uint64_t)eh->e_shnum * sizeof(Elf64_Shdr) > (uint64_t)st.st_size ||
	    eh->e_phoff + (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr) > (uint64_t)st.st_size)
		goto out;
	sh = (const Elf64_Shdr *)(m + eh->e_shoff);
	ph = (const Elf64_Phdr *)(m + eh->e_phoff);
	for (int i = 0; i < eh->e_shnum; i++) {
		const Elf64_Shdr *str;
		const Elf64_Sym *sym;
		size_t n;

		if (sh[i].sh_type != SHT_DYNSYM || sh[i].sh_link >= eh->e_shnum)
			continue;
		str = &sh[sh[i].sh_link];
		if (sh[i].sh_offset + sh[i].sh_size > (uint64_t)st.st_size ||
		    str->sh_offset + str->sh_size > (uint64_t)st.st_size)
			goto out;
		sym = (const Elf64_Sym *)(m + sh[i].sh_offset);
		n = sh[i].sh_size / sizeof(*sym);
		for (size_t k = 0; k < n; k++) {
			const char *name;

			if (ELF64_ST_TYPE(sym[k].st_info) != STT_FUNC || !sym[k].st_value ||
			    sym[k].st_name >= str->sh_size)
				continue;
			name = (const char *)m + str->sh_offset + sym[k].st_name;
			if (!memchr(name, '\0', str->sh_size - sym[k].st_name))
				continue;
			for (size_t j = 0; j < NSYMS; j++) {
				if (strcmp(name, syms[j].name) != 0)
					continue;
				/* uprobes take file offsets: map the address
				 * through its PT_LOAD segment. */
				for (int p = 0; p < eh->e_phnum; p++)
					if (ph[p].p_type == PT_LOAD && sym[k].st_value >= ph[p].p_vaddr &&
					    sym[k].st_value < ph[p].p_vaddr + ph[p].p_filesz)
						off[j] = sym[k].st_value - ph[p].p_vaddr + ph[p].p_offset;
			}
		}
		ret = 0;
	}
out:
	munmap((void *)m, (size_t)st.st_size);
	return ret;
}

static void on_uprobe(struct snoop_session *s, const struct snoop_record *r, void *ctx)
{
	struct opensnoop *x = ctx;
	struct open_entry *e = opensnoop_entry_new(x, r->pid);
	const char *p = NULL;
	size_t n = 0;
	uint64_t ptr = 0;

	for (int i = 0; i < x->nup; i++) {
		if (x->ev_up[i] == r->ev) {
			p = snoop_field_str(r, x->f_up_path[i], &n);
			ptr = snoop_field_u64(r, x->f_up_ptr[i]);
			break;
		}
	}
	/* open64 -> (nothing) but __open_2 -> open: the same string twice is
	 * one open. */
	e->ts = r->ts;
	e->loss_seq = snoop_session_loss_seq(s);
	e->uptr = ptr;
	if (p) {
		e->path = dup_bytes(p, n);
		e->pathlen = n;
		e->pstatus = PATH_OK;
	} else {
		e->pstatus = PATH_FAULT;
	}
}

int opensnoop_setup_libc(struct opensnoop *x)
{
#if defined(__x86_64__)
	static const char *const regs[] = { "%di", "%si" };
#elif defined(__aarch64__)
	static const char *const regs[] = { "%x0", "%x1" };
#else
	snoop_err(x->s, "--libc: this architecture is not supported");
	return -1;
#endif
	const struct snoop_features *feat = snoop_session_features(x->s);
	char pidbuf[32], *libs[2] = { NULL, NULL };
	int nlibs = 0;

	if (!feat->uprobe_events) {
		snoop_err(x->s, "--libc needs uprobe events (CONFIG_UPROBE_EVENTS), which this kernel lacks");
		return -1;
	}
	libs[nlibs] = find_libc("self");
	if (libs[nlibs])
		nlibs++;
	if (x->o->common.pid) {
		snprintf(pidbuf, sizeof(pidbuf), "%d", (int)x->o->common.pid);
		libs[nlibs] = find_libc(pidbuf);
		if (libs[nlibs] && (!nlibs || strcmp(libs[0], libs[nlibs]) != 0))
			nlibs++;
		else
			free(libs[nlibs]);
	}
	if (!nlibs) {
		snoop_err(x->s, "--libc: no C library (libc.so*) mapped by %s", x->o->common.pid ? "the process" : "opensnoop");
		return -1;
	}
	for (int l = 0; l < nlibs; l++) {
		uint64_t off[NSYMS], done[NSYMS];
		int ndone = 0;

		if (elf_offsets(libs[l], off) < 0) {
			snoop_err(x->s, "--libc: cannot read the symbols of %s", libs[l]);
			goto fail;
		}
		for (size_t j = 0; j < NSYMS; j++) {
			char def[4300], name[64];
			struct snoop_event *ev;
			bool dup = false;

			if (!off[j] || x->nup >= 8)
				continue;
			/* Aliases (open/open64) share an address: probe it once. */
			for (int d = 0; d < ndone; d++)
				dup |= done[d] == off[j];
			if (dup)
				continue;
			done[ndone++] = off[j];
			snprintf(name, sizeof(name), "libc%d_%s", l, syms[j].name[0] == '_' ? syms[j].name + 2 : syms[j].name);
			snprintf(def, sizeof(def), "p:%s/%s %s:0x%llx path=+0(%s):ustring ptr=%s:x64",
				 snoop_session_group(x->s), name, libs[l], (unsigned long long)off[j],
				 regs[syms[j].path_arg], regs[syms[j].path_arg]);
			ev = snoop_session_dynevent(x->s, "uprobe_events", def, name, on_uprobe, x);
			if (!ev)
				goto fail;
			x->ev_up[x->nup] = ev;
			x->f_up_path[x->nup] = snoop_event_field(ev, "path");
			x->f_up_ptr[x->nup] = snoop_event_field(ev, "ptr");
			x->nup++;
			/* Not our own opens; a PATTERN is matched in user space,
			 * where opens without a libc path are dropped too. */
			snprintf(name, sizeof(name), "common_pid != %d", (int)getpid());
			if (snoop_event_filter(ev, name) < 0)
				goto fail;
		}
	}
	for (int l = 0; l < nlibs; l++)
		free(libs[l]);
	return 0;
fail:
	for (int l = 0; l < nlibs; l++)
		free(libs[l]);
	return -1;
}
