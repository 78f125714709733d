// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Containers by cgroup, the names: the hierarchies (mountinfo), --cgroup
 * paths, and the short names of container scopes. The TID -> cgroup cache
 * is cgroup.c.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <snoop/cgroup.h>
#include <snoop/session.h>
#include <snoop/tracefs.h>

#include "internal.h"

#define MAX_HIERS 32

/* ---- hierarchies ---------------------------------------------------------- */

/* mountinfo escapes blanks and backslashes as \ooo. */
static void unoctal(char *s)
{
	char *d = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' && s[3] >= '0' &&
		    s[3] <= '7') {
			*d++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
			s += 3;
		} else {
			*d++ = *s;
		}
	}
	*d = '\0';
}

/* Is every comma-separated word of want among those of have? */
static bool words_in(const char *want, size_t wlen, const char *have)
{
	size_t i = 0;

	if (!wlen)
		return false;
	while (i < wlen) {
		size_t n = 0;
		const char *h = have;
		bool found = false;

		while (i + n < wlen && want[i + n] != ',')
			n++;
		while (*h && !found) {
			size_t m = strcspn(h, ",");

			found = m == n && !memcmp(h, want + i, n);
			h += m + (h[m] == ',');
		}
		if (!found)
			return false;
		i += n + 1;
	}
	return true;
}

/* The v1 hierarchy ID of a mount with these super options, from the
 * "N:controllers:/path" lines of /proc/self/cgroup; -1 when none fits. */
static int v1_id(const char *superopts, const char *self_cgroup, char *name, size_t n)
{
	for (const char *l = self_cgroup; l && *l;) {
		const char *e = strchr(l, '\n'), *c1 = strchr(l, ':'), *c2;
		size_t ll = e ? (size_t)(e - l) : strlen(l);

		if (c1 && c1 < l + ll && (c2 = memchr(c1 + 1, ':', (size_t)(l + ll - c1 - 1)))) {
			int id = atoi(l);

			if (id > 0 && words_in(c1 + 1, (size_t)(c2 - c1 - 1), superopts)) {
				snprintf(name, n, "%.*s", (int)(c2 - c1 - 1), c1 + 1);
				return id;
			}
		}
		l = e ? e + 1 : NULL;
	}
	return -1;
}

/* One mountinfo line (a copy, cut in place) as a hierarchy: 1, or 0
 * when it is no cgroup mount. */
static int parse_mount(char *line, const char *self_cgroup, struct snoop_cgroup_hier *h)
{
	char *f[8], *dash, *fs, *super, *save = NULL;
	int nf = 0;

	dash = strstr(line, " - ");
	if (!dash)
		return 0;
	*dash = '\0';
	for (char *w = strtok_r(line, " ", &save); w && nf < 8; w = strtok_r(NULL, " ", &save))
		f[nf++] = w;
	save = NULL;
	fs = strtok_r(dash + 3, " ", &save);
	if (nf < 5 || !fs || !strtok_r(NULL, " ", &save))
		return 0;
	super = strtok_r(NULL, " \n", &save);
	memset(h, 0, sizeof(*h));
	unoctal(f[3]);
	unoctal(f[4]);
	if (strlen(f[3]) >= sizeof(h->root) || strlen(f[4]) >= sizeof(h->mnt))
		return 0;
	if (!strcmp(fs, "cgroup2")) {
		h->v2 = true;
		h->id = 0;
		snprintf(h->name, sizeof(h->name), "v2");
	} else if (!strcmp(fs, "cgroup")) {
		h->id = v1_id(super ? super : "", self_cgroup, h->name, sizeof(h->name));
		if (h->id < 0)
			return 0;
	} else {
		return 0;
	}
	snprintf(h->root, sizeof(h->root), "%s", f[3]);
	snprintf(h->mnt, sizeof(h->mnt), "%s", f[4]);
	return 1;
}

/* The cgroup mounts of mountinfo: v2 first, then v1 in mount order; a
 * hierarchy mounted twice counts once (its first mount). */
static int list_hiers(const char *mountinfo, const char *self_cgroup, struct snoop_cgroup_hier *hs, int max)
{
	int n = 0;

	for (int pass = 0; pass < 2; pass++) {
		for (const char *l = mountinfo; l && *l;) {
			const char *e = strchr(l, '\n');
			size_t ll = e ? (size_t)(e - l) : strlen(l);
			char line[2048];
			struct snoop_cgroup_hier h;
			bool dup = false;

			if (ll < sizeof(line) && n < max) {
				memcpy(line, l, ll);
				line[ll] = '\0';
				if (parse_mount(line, self_cgroup, &h) && h.v2 == (pass == 0)) {
					for (int i = 0; i < n; i++)
						dup |= hs[i].id == h.id;
					if (!dup)
						hs[n++] = h;
				}
			}
			l = e ? e + 1 : NULL;
		}
	}
	return n;
}

int snoop_cgroup_default(const char *mountinfo, const char *self_cgroup, struct snoop_cgroup_hier *h)
{
	struct snoop_cgroup_hier hs[MAX_HIERS];
	int n = list_hiers(mountinfo, self_cgroup, hs, MAX_HIERS);

	if (n <= 0)
		return -1;
	*h = hs[0];
	for (int i = 0; !hs[0].v2 && i < n; i++)
		if (!strcmp(hs[i].name, "name=systemd"))
			*h = hs[i];
	return 0;
}

/* The cgroup's path as the kernel writes it: the mount's root, then what
 * follows the mount point. */
void snoop_cgroup_join_rel(const struct snoop_cgroup_hier *h, const char *below, char *rel, size_t n)
{
	while (*below == '/')
		below++;
	if (!strcmp(h->root, "/"))
		snprintf(rel, n, "/%s", below);
	else
		snprintf(rel, n, "%s%s%s", h->root, *below ? "/" : "", below);
	/* "a/b/" and "/a/b" name the same cgroup. */
	for (size_t l = strlen(rel); l > 1 && rel[l - 1] == '/'; l--)
		rel[l - 1] = '\0';
}

bool snoop_cgroup_dir_id(const char *path, uint64_t *ino)
{
	struct stat st;

	if (stat(path, &st) < 0 || !S_ISDIR(st.st_mode))
		return false;
	/* A cgroup's ID is its kernfs node's, which is the inode number on
	 * 64-bit kernels (kernfs_id_ino()): the tracepoints' dst_id. */
	*ino = (uint64_t)st.st_ino;
	return true;
}

int snoop_cgroup_resolve(const char *mountinfo, const char *self_cgroup, const char *path,
			 struct snoop_cgroup_hier *h, char *rel, size_t reln, uint64_t *id, char *err,
			 size_t errn)
{
	struct snoop_cgroup_hier hs[MAX_HIERS];
	int n = list_hiers(mountinfo, self_cgroup, hs, MAX_HIERS), best = -1;
	char real[PATH_MAX], cand[PATH_MAX + 300];
	size_t bestlen = 0, off;

	if (n <= 0) {
		snprintf(err, errn, "no cgroup hierarchy is mounted (no cgroup or cgroup2 in /proc/self/mountinfo)");
		return -1;
	}
	if (!*path || strlen(path) >= 4096) {
		snprintf(err, errn, "expected a cgroup path");
		return -1;
	}
	/* ".." would leave the hierarchy, or name a cgroup by a detour. */
	for (const char *p = path; (p = strstr(p, "..")); p += 2)
		if ((p == path || p[-1] == '/') && (p[2] == '/' || !p[2])) {
			snprintf(err, errn, "'..' is not allowed in a cgroup path");
			return -1;
		}
	if (path[0] == '/' && realpath(path, real)) {
		for (int i = 0; i < n; i++) {
			size_t ml = strlen(hs[i].mnt);

			if (ml >= bestlen && !strncmp(real, hs[i].mnt, ml) && (real[ml] == '/' || !real[ml])) {
				best = i;
				bestlen = ml;
			}
		}
		if (best >= 0) {
			*h = hs[best];
			if (!snoop_cgroup_dir_id(real, id)) {
				snprintf(err, errn, "not a cgroup directory");
				return -1;
			}
			snoop_cgroup_join_rel(h, real + bestlen, rel, reln);
			return 0;
		}
	}
	/* Relative to a hierarchy's mount: the first that has it. */
	for (off = 0; path[off] == '/'; off++)
		;
	for (int i = 0; i < n; i++) {
		snprintf(cand, sizeof(cand), "%s/%s", hs[i].mnt, path + off);
		if (snoop_cgroup_dir_id(cand, id)) {
			*h = hs[i];
			snoop_cgroup_join_rel(h, path + off, rel, reln);
			return 0;
		}
	}
	snprintf(err, errn, "no such cgroup under %s%s (nor under a v1 hierarchy's mount)", hs[0].mnt,
		 hs[0].v2 ? " (v2)" : "");
	return -1;
}

/* ---- short names ---------------------------------------------------------- */

static bool is_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return n > 0;
}

/* A container component: "<runtime>-<hex>.scope" (systemd driver) or a
 * bare 64-hex ID under "docker/" (cgroupfs driver). The short form in out,
 * true when it was one. */
static bool container_short(const char *comp, size_t len, const char *parent, size_t plen, char *out, size_t n)
{
	static const char *const rt[] = { "docker-", "cri-containerd-", "crio-", "libpod-", "containerd-" };
	size_t body = len;

	if (len > 6 && !memcmp(comp + len - 6, ".scope", 6))
		body -= 6;
	for (size_t i = 0; i < sizeof(rt) / sizeof(rt[0]); i++) {
		size_t rl = strlen(rt[i]);

		if (body >= rl + 12 && !memcmp(comp, rt[i], rl) && is_hex(comp + rl, body - rl)) {
			snprintf(out, n, "%s%.12s", rt[i], comp + rl);
			return true;
		}
	}
	if (len == 64 && is_hex(comp, len) && plen) {
		snprintf(out, n, "%.*s-%.12s", (int)plen, parent, comp);
		return true;
	}
	return false;
}

void snoop_cgroup_short(const char *path, char *dst, size_t n)
{
	const char *comp[64];
	size_t clen[64], nc = 0, kube = SIZE_MAX;
	char last[96], pod[64] = "", qos[48] = "kubepods";

	if (!n)
		return;
	for (const char *p = path; *p && nc < 64;) {
		size_t l;

		while (*p == '/')
			p++;
		l = strcspn(p, "/");
		if (!l)
			break;
		comp[nc] = p;
		clen[nc++] = l;
		p += l;
	}
	for (size_t i = 0; i < nc; i++)
		if (clen[i] >= 8 && !memcmp(comp[i], "kubepods", 8) && kube == SIZE_MAX)
			kube = i;
	if (kube != SIZE_MAX) {
		/* kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod<UID>.slice/<container>
		 * (systemd), or kubepods/burstable/pod<UID>/<ID> (cgroupfs). */
		for (size_t i = kube + 1; i < nc; i++) {
			const char *c = comp[i], *q = NULL;
			size_t l = clen[i];

			if (l > 6 && !memcmp(c + l - 6, ".slice", 6))
				l -= 6;
			/* The pod: "pod<UID>", or the last word of "kubepods-QOS-pod<UID>". */
			if (l > 3 && !memcmp(c, "pod", 3))
				q = c;
			for (size_t k = l; !q && k-- > 0;)
				if (c[k] == '-') {
					if (l - k > 4 && !memcmp(c + k + 1, "pod", 3))
						q = c + k + 1;
					break;
				}
			if (!q) {
				if (i == kube + 1)
					snprintf(qos, sizeof(qos), "%s%.*s", l > 9 && !memcmp(c, "kubepods-", 9) ? "" : "kubepods-",
						 (int)(l > 30 ? 30 : l), c);
				continue;
			}
			{
				size_t ul = l - (size_t)(q - c) - 3;

				snprintf(pod, sizeof(pod), "pod%.*s", (int)(ul > 8 ? 8 : ul), q + 3);
				if (i + 1 < nc && container_short(comp[i + 1], clen[i + 1], "", 0, last, sizeof(last)))
					snprintf(dst, n, "%s/%s/%s", qos, pod, last);
				else if (i + 1 < nc && is_hex(comp[i + 1], clen[i + 1]))
					snprintf(dst, n, "%s/%s/%.12s", qos, pod, comp[i + 1]);
				else
					snprintf(dst, n, "%s/%s", qos, pod);
				return;
			}
		}
	}
	for (size_t i = nc; i-- > 0;) {
		if (container_short(comp[i], clen[i], i ? comp[i - 1] : "", i ? clen[i - 1] : 0, last, sizeof(last))) {
			snprintf(dst, n, "%s", last);
			return;
		}
	}
	snprintf(dst, n, "%s", path);
}
