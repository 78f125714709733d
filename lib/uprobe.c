// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Uprobes on shared-library functions. A uprobe is placed on a file offset
 * of an inode, so it fires in every process that maps that very file, at
 * the function's first instruction: the arguments are still in their
 * registers, and a string they point to is fetched in the caller's context
 * before the function acts on it. Internal calls (glibc's execvp calling
 * __execve, an alias of execve at the same address) hit it too.
 */
#include <elf.h>
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

static void match_dynsym(const unsigned char *m, const Elf64_Shdr *symsec, const Elf64_Shdr *str,
			 const Elf64_Phdr *ph, int nph, struct snoop_usym *syms, size_t n)
{
	const Elf64_Sym *sym = (const Elf64_Sym *)(m + symsec->sh_offset);
	size_t count = symsec->sh_size / sizeof(*sym);

	for (size_t k = 0; k < count; k++) {
		const char *name;

		if (ELF64_ST_TYPE(sym[k].st_info) != STT_FUNC || !sym[k].st_value || sym[k].st_name >= str->sh_size)
			continue;
		name = (const char *)m + str->sh_offset + sym[k].st_name;
		if (!memchr(name, '\0', str->sh_size - sym[k].st_name))
			continue;
		for (size_t j = 0; j < n; j++)
			if (strcmp(name, syms[j].name) == 0)
				syms[j].off = vaddr_to_off(ph, nph, sym[k].st_value);
	}
}

int snoop_uprobe_offsets(const char *path, struct snoop_usym *syms, size_t n)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	const unsigned char *m;
	const Elf64_Ehdr *eh;
	const Elf64_Shdr *sh;
	const Elf64_Phdr *ph;
	size_t size;
	int ret = -1;

	for (size_t j = 0; j < n; j++)
		syms[j].off = 0;
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0 || (size_t)st.st_size < sizeof(Elf64_Ehdr)) {
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
	 * the file is whatever a process mapped. */
	if (memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0 || eh->e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh->e_shoff + (uint64_t)eh->e_shnum * sizeof(Elf64_Shdr) > size ||
	    eh->e_phoff + (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr) > size)
		goto out;
	sh = (const Elf64_Shdr *)(m + eh->e_shoff);
	ph = (const Elf64_Phdr *)(m + eh->e_phoff);
	for (int i = 0; i < eh->e_shnum; i++) {
		const Elf64_Shdr *str;

		if (sh[i].sh_type != SHT_DYNSYM || sh[i].sh_link >= eh->e_shnum)
			continue;
		str = &sh[sh[i].sh_link];
		if (sh[i].sh_offset + sh[i].sh_size > size || str->sh_offset + str->sh_size > size)
			goto out;
		match_dynsym(m, &sh[i], str, ph, eh->e_phnum, syms, n);
		ret = 0;
	}
out:
	munmap((void *)m, size);
	return ret;
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
