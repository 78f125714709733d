// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Uprobes on shared-library functions. A uprobe is placed on a file offset
 * of an inode, so it fires in every process that maps that very file, at
 * the function's first instruction: the arguments are still in their
 * registers, and a string they point to is fetched in the caller's context
 * before the function acts on it. Internal calls (glibc's execvp calling
 * __execve, an alias of execve at the same address) hit it too.
 */
#include <dirent.h>
#include <elf.h>
#include <limits.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <snoop/output.h>
#include <snoop/tracefs.h>
#include <snoop/uprobe.h>

char *snoop_uprobe_find_libc(pid_t pid)
{
	char path[64], *maps, *line, *save = NULL, *found = NULL;

	if (pid)
		snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	else
		snprintf(path, sizeof(path), "/proc/self/maps");
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

/* The file offset of a symbol's address: through the PT_LOAD segment that
 * holds it (uprobes take file offsets, symbols give addresses). */
static uint64_t vaddr_to_off(const Elf64_Phdr *ph, int nph, uint64_t addr)
{
	for (int p = 0; p < nph; p++)
		if (ph[p].p_type == PT_LOAD && addr >= ph[p].p_vaddr && addr < ph[p].p_vaddr + ph[p].p_filesz)
			return addr - ph[p].p_vaddr + ph[p].p_offset;
	return 0;
}

/* Call fn for each function symbol of one symbol table section. */
static int each_in_table(const unsigned char *m, const Elf64_Shdr *symsec, const Elf64_Shdr *str,
			 const Elf64_Versym *versym, const Elf64_Phdr *ph, int nph, snoop_usym_fn fn, void *ctx)
{
	const Elf64_Sym *sym = (const Elf64_Sym *)(m + symsec->sh_offset);
	size_t count = symsec->sh_size / sizeof(*sym);

	for (size_t k = 0; k < count; k++) {
		const char *name;
		uint64_t off;

		if (ELF64_ST_TYPE(sym[k].st_info) != STT_FUNC || !sym[k].st_value || sym[k].st_name >= str->sh_size)
			continue;
		/* .dynsym names carry no version: "memcpy" is there once per
		 * version. The hidden ones are the old versions; a plain name
		 * means the default one, as the dynamic linker takes it. */
		if (versym && (versym[k] & 0x8000))
			continue;
		name = (const char *)m + str->sh_offset + sym[k].st_name;
		if (!memchr(name, '\0', str->sh_size - sym[k].st_name) || !*name)
			continue;
		off = vaddr_to_off(ph, nph, sym[k].st_value);
		if (off && fn(name, off, sym[k].st_size, ctx))
			return 1;
	}
	return 0;
}

static size_t versym_size(const Elf64_Shdr *sh, int n)
{
	for (int i = 0; i < n; i++)
		if (sh[i].sh_type == SHT_GNU_versym)
			return sh[i].sh_size / sizeof(Elf64_Versym);
	return 0;
}

int snoop_uprobe_each_sym(const char *path, snoop_usym_fn fn, void *ctx)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	const unsigned char *m;
	const Elf64_Ehdr *eh;
	const Elf64_Shdr *sh;
	const Elf64_Phdr *ph;
	const Elf64_Versym *versym = NULL;
	size_t size;
	int ret = -1;

	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || (size_t)st.st_size < sizeof(Elf64_Ehdr)) {
		close(fd);
		return -1;
	}
	size = (size_t)st.st_size;
	m = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (m == MAP_FAILED)
		return -1;
	eh = (const Elf64_Ehdr *)m;
	/* Every table is checked to lie inside the file before it is read:
	 * the file is whatever a process mapped, or a user named. */
	if (memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0 || eh->e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh->e_shoff + (uint64_t)eh->e_shnum * sizeof(Elf64_Shdr) > size ||
	    eh->e_phoff + (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr) > size)
		goto out;
	sh = (const Elf64_Shdr *)(m + eh->e_shoff);
	ph = (const Elf64_Phdr *)(m + eh->e_phoff);
	ret = 0;
	if (!fn)
		goto out; /* only: is it an ELF file we can read? */
	for (int i = 0; i < eh->e_shnum; i++)
		if (sh[i].sh_type == SHT_GNU_versym && sh[i].sh_offset + sh[i].sh_size <= size)
			versym = (const Elf64_Versym *)(m + sh[i].sh_offset);
	/* .dynsym first (what a stripped library still has), then .symtab
	 * (static functions of an unstripped program). */
	for (int pass = 0; pass < 2; pass++) {
		for (int i = 0; i < eh->e_shnum; i++) {
			const Elf64_Shdr *str;

			if (sh[i].sh_type != (pass ? SHT_SYMTAB : SHT_DYNSYM) || sh[i].sh_link >= eh->e_shnum)
				continue;
			str = &sh[sh[i].sh_link];
			if (sh[i].sh_offset + sh[i].sh_size > size || str->sh_offset + str->sh_size > size) {
				ret = -1;
				goto out;
			}
			/* The version table runs parallel to .dynsym: one entry
			 * per symbol, or it is not used. */
			if (pass == 0 && versym && versym_size(sh, eh->e_shnum) != sh[i].sh_size / sizeof(Elf64_Sym))
				versym = NULL;
			if (each_in_table(m, &sh[i], str, pass ? NULL : versym, ph, eh->e_phnum, fn, ctx))
				goto out;
		}
	}
out:
	munmap((void *)m, size);
	return ret;
}

struct offsets_ctx {
	struct snoop_usym *syms;
	size_t n;
};

static int match_sym(const char *name, uint64_t off, uint64_t size, void *ctx)
{
	struct offsets_ctx *c = ctx;
	/* .symtab spells versioned names "memcpy@GLIBC_2.14" or with "@@":
	 * the plain name matches its default version, the versioned one
	 * matches exactly. */
	const char *at = strchr(name, '@');
	size_t plain = at ? (size_t)(at - name) : strlen(name);

	(void)size;
	for (size_t j = 0; j < c->n; j++) {
		const char *want = c->syms[j].name;

		if (c->syms[j].off)
			continue;
		if (!strcmp(name, want) || (at && at[1] == '@' && strlen(want) == plain && !strncmp(name, want, plain)))
			c->syms[j].off = off;
	}
	return 0;
}

int snoop_uprobe_offsets(const char *path, struct snoop_usym *syms, size_t n)
{
	struct offsets_ctx c = { syms, n };

	for (size_t j = 0; j < n; j++)
		syms[j].off = 0;
	return snoop_uprobe_each_sym(path, match_sym, &c);
}

/* Is path an executable regular file? */
static bool regular_file(const char *path, int mode)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, mode) == 0;
}

/* name in dir as is, or a library file "libNAME.so*" / "NAME.so*" there. */
static bool in_lib_dir(const char *dir, const char *name, char *out, size_t outlen)
{
	char pat[3][256];
	bool found = false;
	DIR *d;
	struct dirent *e;

	snprintf(pat[0], sizeof(pat[0]), "%s.so", name);
	snprintf(pat[1], sizeof(pat[1]), "lib%s.so", name);
	snprintf(pat[2], sizeof(pat[2]), "%s", name);
	d = opendir(dir);
	if (!d)
		return false;
	/* The shortest match wins: libfoo.so.1 before libfoo.so.1.2.3. */
	while ((e = readdir(d))) {
		size_t best = found ? strlen(strrchr(out, '/') + 1) : (size_t)-1;

		for (int k = 0; k < 3; k++) {
			size_t pl = strlen(pat[k]);

			if (strncmp(e->d_name, pat[k], pl) || (e->d_name[pl] && e->d_name[pl] != '.'))
				continue;
			if (strlen(e->d_name) < best &&
			    (size_t)snprintf(out, outlen, "%s/%s", dir, e->d_name) < outlen && regular_file(out, R_OK)) {
				found = true;
				best = strlen(e->d_name);
			}
		}
	}
	closedir(d);
	return found;
}

/* The canonical path (symbolic links resolved: the kernel's uprobe_events
 * shows the file it probes, and a blank in it could not be written). */
static int absolute(const char *path, char *out, size_t outlen)
{
	char real[PATH_MAX];

	if (!realpath(path, real) || strchr(real, ' ') || strchr(real, '\n'))
		return -1;
	return (size_t)snprintf(out, outlen, "%s", real) < outlen ? 0 : -1;
}

int snoop_uprobe_find_binary(const char *name, char *out, size_t outlen)
{
	static const char *const libdirs[] = {
#if defined(__x86_64__)
		"/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu",
#elif defined(__aarch64__)
		"/lib/aarch64-linux-gnu", "/usr/lib/aarch64-linux-gnu",
#endif
		"/lib64", "/usr/lib64", "/lib", "/usr/lib", "/usr/local/lib", NULL
	};
	char buf[PATH_MAX];
	const char *path;

	if (strchr(name, '/'))
		return regular_file(name, R_OK) ? absolute(name, out, outlen) : -1;
	/* "libc" and "c": the C library this process runs on, the one
	 * every dynamically linked program here maps too. */
	if (!strcmp(name, "libc") || !strcmp(name, "c")) {
		char *libc = snoop_uprobe_find_libc(0);
		int r = libc && (size_t)snprintf(out, outlen, "%s", libc) < outlen ? 0 : -1;

		free(libc);
		return r;
	}
	path = getenv("PATH");
	for (const char *p = path; p && *p;) {
		const char *end = strchr(p, ':');
		size_t n = end ? (size_t)(end - p) : strlen(p);

		if (n && snprintf(buf, sizeof(buf), "%.*s/%s", (int)n, p, name) < (int)sizeof(buf) &&
		    regular_file(buf, X_OK))
			return absolute(buf, out, outlen);
		p = end ? end + 1 : NULL;
	}
	for (int i = 0; libdirs[i]; i++)
		if (in_lib_dir(libdirs[i], name, buf, sizeof(buf)))
			return absolute(buf, out, outlen);
	return -1;
}

const char *snoop_uprobe_arg_reg(int i)
{
#if defined(__x86_64__)
	static const char *const regs[] = { "%di", "%si", "%dx", "%cx", "%r8", "%r9" };
#elif defined(__aarch64__)
	static const char *const regs[] = { "%x0", "%x1", "%x2", "%x3", "%x4", "%x5", "%x6", "%x7" };
#else
	static const char *const regs[] = { NULL };
#endif
	if (i < 0 || (size_t)i >= sizeof(regs) / sizeof(regs[0]))
		return NULL;
	return regs[i];
}

struct snoop_event *snoop_uprobe_add(struct snoop_session *s, const char *name, const char *path, uint64_t off,
				     const char *fetchargs, snoop_handler_fn fn, void *ctx)
{
	struct snoop_buf def;
	struct snoop_event *ev;

	if (!snoop_session_features(s)->uprobe_events) {
		snoop_err(s, "uprobe events are not available on this kernel (CONFIG_UPROBE_EVENTS)");
		return NULL;
	}
	snoop_buf_init(&def);
	snoop_buf_printf(&def, "p:%s/%s %s:0x%llx", snoop_session_group(s), name, path, (unsigned long long)off);
	if (fetchargs && *fetchargs)
		snoop_buf_printf(&def, " %s", fetchargs);
	ev = snoop_session_dynevent(s, "uprobe_events", snoop_buf_cstr(&def), name, fn, ctx);
	snoop_buf_free(&def);
	return ev;
}
