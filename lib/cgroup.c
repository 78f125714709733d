// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Containers by cgroup: the hierarchies, --cgroup paths, the short names
 * of container scopes, and the TID -> cgroup cache fed by the kernel's
 * records (include/snoop/cgroup.h says why in that order).
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

/* clone3(2): the child starts in the cgroup args.cgroup names (v2 only). */
#define CLONE_INTO_CGROUP_FLAG 0x200000000ull
#define MAX_HIERS 32
/* A cgroup tree deeper than this is not walked further by the scan. */
#define SCAN_DEPTH 32

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
static void join_rel(const struct snoop_cgroup_hier *h, const char *below, char *rel, size_t n)
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

static bool is_dir(const char *path, uint64_t *ino)
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
			if (!is_dir(real, id)) {
				snprintf(err, errn, "not a cgroup directory");
				return -1;
			}
			join_rel(h, real + bestlen, rel, reln);
			return 0;
		}
	}
	/* Relative to a hierarchy's mount: the first that has it. */
	for (off = 0; path[off] == '/'; off++)
		;
	for (int i = 0; i < n; i++) {
		snprintf(cand, sizeof(cand), "%s/%s", hs[i].mnt, path + off);
		if (is_dir(cand, id)) {
			*h = hs[i];
			join_rel(h, path + off, rel, reln);
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

/* ---- the cache ------------------------------------------------------------ */

struct cg_node {            /* a cgroup: ID -> path */
	uint64_t id;        /* 0: free */
	char *path;
	char *shortp;       /* snoop_cgroup_short(path), made on first use */
	signed char inside; /* in a target or below: 1, 0, or -1 not computed */
	bool used;          /* prune(): a task entry points here */
};

struct cg_task {            /* a task: TID -> cgroup */
	pid_t tid;          /* 0: free */
	bool tried;         /* /proc was read for it (unknown stays unknown) */
	enum snoop_task_src src;
	uint64_t id;
};

struct snoop_cgroups {
	struct snoop_cgroup_hier h;
	char *proc_dir;
	struct cg_node *nodes;
	size_t ncap, nused;
	struct cg_task *tasks;
	size_t tcap, tused;
	char *targets[SNOOP_CGROUP_MAX];
	uint64_t target_ids[SNOOP_CGROUP_MAX];
	int ntargets;
	uint64_t root_id;   /* the mount's root: where PID 0 (the idle task) is */
	struct cg_task idle;
};

static size_t hash64(uint64_t v, size_t cap)
{
	return (size_t)((v * 0x9e3779b97f4a7c15ull) >> 20) & (cap - 1);
}

struct snoop_cgroups *snoop_cgroups_new(const struct snoop_cgroup_hier *h, const char *proc_dir)
{
	struct snoop_cgroups *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->h = *h;
	c->ncap = 256;
	c->tcap = 4096;
	c->nodes = calloc(c->ncap, sizeof(*c->nodes));
	c->tasks = calloc(c->tcap, sizeof(*c->tasks));
	c->proc_dir = proc_dir ? strdup(proc_dir) : NULL;
	if (!c->nodes || !c->tasks || (proc_dir && !c->proc_dir)) {
		snoop_cgroups_free(c);
		return NULL;
	}
	return c;
}

void snoop_cgroups_free(struct snoop_cgroups *c)
{
	if (!c)
		return;
	for (size_t i = 0; c->nodes && i < c->ncap; i++) {
		free(c->nodes[i].path);
		free(c->nodes[i].shortp);
	}
	for (int i = 0; i < c->ntargets; i++)
		free(c->targets[i]);
	free(c->nodes);
	free(c->tasks);
	free(c->proc_dir);
	free(c);
}

static struct cg_node *node_find(struct snoop_cgroups *c, uint64_t id)
{
	size_t i = hash64(id, c->ncap);

	while (c->nodes[i].id && c->nodes[i].id != id)
		i = (i + 1) & (c->ncap - 1);
	return &c->nodes[i];
}

/*
 * Rehash into a table of cap slots. From PRUNE_FROM slots on, a node no
 * task entry points to is dropped first (keep: the root, and the id being
 * put): cgroup IDs are never reused, so on a box where containers come and
 * go the table would otherwise grow with every cgroup ever seen. What stays
 * is bounded by the task table (TIDs are reused), and a dropped cgroup's
 * path comes back with the next event or /proc read that names it.
 */
#define PRUNE_FROM 4096

static int node_rehash(struct snoop_cgroups *c, uint64_t keep)
{
	struct cg_node *old = c->nodes, *nn;
	size_t oldcap = c->ncap, live = c->nused, cap;
	bool prune = oldcap >= PRUNE_FROM;

	if (prune) {
		for (size_t i = 0; i < oldcap; i++)
			old[i].used = old[i].id == keep || old[i].id == c->root_id;
		for (size_t i = 0; i < c->tcap; i++)
			if (c->tasks[i].tid && c->tasks[i].id)
				node_find(c, c->tasks[i].id)->used = true;
		if (c->idle.id)
			node_find(c, c->idle.id)->used = true;
		live = 0;
		for (size_t i = 0; i < oldcap; i++)
			live += old[i].id && old[i].used;
	}
	/* Double unless pruning left the table at most a quarter full. */
	cap = (live + 1) * 4 > oldcap ? oldcap * 2 : oldcap;
	nn = calloc(cap, sizeof(*nn));
	if (!nn)
		return -1;
	c->nodes = nn;
	c->ncap = cap;
	c->nused = 0;
	for (size_t i = 0; i < oldcap; i++) {
		if (!old[i].id)
			continue;
		if (prune && !old[i].used) {
			free(old[i].path);
			free(old[i].shortp);
			continue;
		}
		*node_find(c, old[i].id) = old[i];
		c->nused++;
	}
	free(old);
	return 0;
}

/* The node of id, created (path copied) when new; NULL on out of memory.
 * A known node takes a new path: the cgroup was renamed, or an event's
 * path replaces what /proc said. */
static struct cg_node *node_put(struct snoop_cgroups *c, uint64_t id, const char *path, size_t len)
{
	struct cg_node *nd;

	if (!id)
		return NULL;
	if ((c->nused + 1) * 2 > c->ncap && node_rehash(c, id))
		return NULL;
	nd = node_find(c, id);
	if (nd->id && nd->path && (!path || (strlen(nd->path) == len && !memcmp(nd->path, path, len))))
		return nd;
	if (path) {
		char *p = strndup(path, len);

		if (!p)
			return nd->id ? nd : NULL;
		free(nd->path);
		free(nd->shortp);
		nd->path = p;
		nd->shortp = NULL;
		nd->inside = -1;
	}
	if (!nd->id) {
		nd->id = id;
		nd->inside = -1;
		c->nused++;
	}
	return nd;
}

static struct cg_task *task_find(struct snoop_cgroups *c, pid_t tid)
{
	size_t i = hash64((uint64_t)(uint32_t)tid, c->tcap);

	while (c->tasks[i].tid && c->tasks[i].tid != tid)
		i = (i + 1) & (c->tcap - 1);
	return &c->tasks[i];
}

/* The entry of tid, created when new; NULL on out of memory. Entries are
 * never dropped: a TID's next life starts with a fork event that
 * overwrites it. */
static struct cg_task *task_put(struct snoop_cgroups *c, pid_t tid)
{
	struct cg_task *k;

	if ((c->tused + 1) * 2 > c->tcap) {
		struct cg_task *old = c->tasks, *nt = calloc(c->tcap * 2, sizeof(*nt));
		size_t oldcap = c->tcap;

		if (!nt)
			return NULL;
		c->tasks = nt;
		c->tcap *= 2;
		for (size_t i = 0; i < oldcap; i++)
			if (old[i].tid)
				*task_find(c, old[i].tid) = old[i];
		free(old);
	}
	k = task_find(c, tid);
	if (!k->tid) {
		k->tid = tid;
		c->tused++;
	}
	return k;
}

void snoop_cgroups_set(struct snoop_cgroups *c, pid_t tid, uint64_t id, const char *path, enum snoop_task_src src)
{
	struct cg_task *k;

	if (tid <= 0 || (path && !node_put(c, id, path, strlen(path))))
		return;
	k = task_put(c, tid);
	if (!k)
		return;
	k->id = id;
	k->src = id ? src : SNOOP_TASK_UNKNOWN;
	k->tried = false;
}

int snoop_cgroups_add_target(struct snoop_cgroups *c, const char *rel, uint64_t id)
{
	if (c->ntargets >= SNOOP_CGROUP_MAX || !(c->targets[c->ntargets] = strdup(rel)))
		return -1;
	c->target_ids[c->ntargets++] = id;
	for (size_t i = 0; i < c->ncap; i++)
		c->nodes[i].inside = -1;
	return 0;
}

static bool node_inside(struct snoop_cgroups *c, struct cg_node *nd)
{
	if (nd->inside >= 0)
		return nd->inside;
	nd->inside = 0;
	for (int i = 0; i < c->ntargets && !nd->inside; i++) {
		size_t tl = strlen(c->targets[i]);

		if (nd->id == c->target_ids[i])
			nd->inside = 1;
		else if (nd->path && (!strcmp(c->targets[i], "/") ||
				      (!strncmp(nd->path, c->targets[i], tl) && (nd->path[tl] == '/' || !nd->path[tl]))))
			nd->inside = 1;
	}
	return nd->inside;
}

/* ---- the scan ------------------------------------------------------------- */

static void scan_dir(struct snoop_cgroups *c, char *path, size_t plen, size_t mntlen, int depth)
{
	char rel[PATH_MAX], *txt;
	struct dirent *de;
	uint64_t id;
	DIR *d;

	if (!is_dir(path, &id))
		return;
	join_rel(&c->h, path + mntlen, rel, sizeof(rel));
	if (!node_put(c, id, rel, strlen(rel)))
		return;
	if (plen == mntlen)
		c->root_id = id;
	/* TIDs: cgroup.threads in v2 (all threads, threaded or not), tasks in v1. */
	snprintf(path + plen, PATH_MAX - plen, "/%s", c->h.v2 ? "cgroup.threads" : "tasks");
	txt = snoop_read_file(path, NULL);
	path[plen] = '\0';
	for (char *p = txt; p && *p;) {
		long tid = strtol(p, &p, 10);
		struct cg_task *k;

		if (tid > 0 && (k = task_put(c, (pid_t)tid))) {
			/* An event read before the scan knows better. */
			if (k->src != SNOOP_TASK_EVENT) {
				k->id = id;
				k->src = SNOOP_TASK_START;
			}
		}
		while (*p == '\n')
			p++;
		if (*p && (*p < '0' || *p > '9'))
			break;
	}
	free(txt);
	if (depth >= SCAN_DEPTH || !(d = opendir(path)))
		return;
	while ((de = readdir(d))) {
		size_t nl = strlen(de->d_name);

		if (de->d_type != DT_DIR || de->d_name[0] == '.' || plen + nl + 2 >= PATH_MAX)
			continue;
		path[plen] = '/';
		memcpy(path + plen + 1, de->d_name, nl + 1);
		scan_dir(c, path, plen + 1 + nl, mntlen, depth + 1);
		path[plen] = '\0';
	}
	closedir(d);
}

int snoop_cgroups_scan(struct snoop_cgroups *c)
{
	char path[PATH_MAX];
	size_t l = strlen(c->h.mnt);
	uint64_t id;

	if (!is_dir(c->h.mnt, &id))
		return -1;
	memcpy(path, c->h.mnt, l + 1);
	scan_dir(c, path, l, l, 0);
	return 0;
}

/* ---- events --------------------------------------------------------------- */

static bool proc_is_leader(struct snoop_cgroups *c, pid_t pid)
{
	char path[512], *txt, *p;
	bool leader;

	if (!c->proc_dir)
		return false;
	snprintf(path, sizeof(path), "%s/%d/status", c->proc_dir, (int)pid);
	txt = snoop_read_file(path, NULL);
	leader = txt && (p = strstr(txt, "\nTgid:")) && atoi(p + 6) == pid;
	free(txt);
	return leader;
}

void snoop_cgroups_attach(struct snoop_cgroups *c, int hier, uint64_t id, const char *path, size_t len, pid_t pid,
			  bool whole_process)
{
	struct cg_task *k;
	char dir[512];
	struct dirent *de;
	DIR *d;

	if (hier != c->h.id || pid <= 0 || !node_put(c, id, path, len))
		return;
	if ((k = task_put(c, pid))) {
		k->id = id;
		k->src = SNOOP_TASK_EVENT;
	}
	/*
	 * The record names the process's leader when cgroup.procs was written
	 * (the threads moved with it) and the thread for a v1 tasks file; it
	 * does not say which. A leader stands for its process here: its
	 * threads, as /proc lists them now, move too.
	 */
	if (!whole_process || !c->proc_dir || !proc_is_leader(c, pid))
		return;
	snprintf(dir, sizeof(dir), "%s/%d/task", c->proc_dir, (int)pid);
	d = opendir(dir);
	while (d && (de = readdir(d))) {
		long tid = strtol(de->d_name, NULL, 10);

		if (tid > 0 && tid != pid && (k = task_put(c, (pid_t)tid))) {
			k->id = id;
			k->src = SNOOP_TASK_EVENT;
		}
	}
	if (d)
		closedir(d);
}

/* What /proc/TID/cgroup says of the hierarchy: 0 when nothing. */
static uint64_t from_proc(struct snoop_cgroups *c, pid_t tid)
{
	char path[PATH_MAX], *txt;
	uint64_t id = 0;

	if (!c->proc_dir)
		return 0;
	snprintf(path, sizeof(path), "%s/%d/cgroup", c->proc_dir, (int)tid);
	txt = snoop_read_file(path, NULL);
	for (char *l = txt; l && *l;) {
		char *e = strchr(l, '\n'), *p;

		if (e)
			*e = '\0';
		if (atoi(l) == c->h.id && (p = strchr(l, ':')) && (p = strchr(p + 1, ':')) && p[1] == '/') {
			/* The path is relative to our cgroup namespace's root,
			 * which is the mount's root for us. */
			size_t rl = strlen(c->h.root);
			const char *below = p + 1;
			char rel[PATH_MAX];

			if (rl > 1 && !strncmp(below, c->h.root, rl))
				below += rl;
			snprintf(path, sizeof(path), "%s%s", c->h.mnt, below);
			if (is_dir(path, &id)) {
				join_rel(&c->h, below, rel, sizeof(rel));
				if (!node_put(c, id, rel, strlen(rel)))
					id = 0;
			}
			break;
		}
		l = e ? e + 1 : NULL;
	}
	free(txt);
	return id;
}

static struct cg_task *lookup(struct snoop_cgroups *c, pid_t tid)
{
	struct cg_task *k;

	if (tid <= 0) {
		/* The idle task (interrupts on an idle CPU) is in the root; TID
		 * 0 is the table's "free", so it has an entry of its own. */
		c->idle.id = c->root_id;
		c->idle.src = c->root_id ? SNOOP_TASK_START : SNOOP_TASK_UNKNOWN;
		return tid == 0 ? &c->idle : NULL;
	}
	k = task_find(c, tid);
	if (k->tid && (k->src || k->tried))
		return k;
	k = task_put(c, tid);
	if (!k)
		return NULL;
	k->tried = true;
	k->id = from_proc(c, tid);
	k->src = k->id ? SNOOP_TASK_PROC : SNOOP_TASK_UNKNOWN;
	return k;
}

void snoop_cgroups_fork(struct snoop_cgroups *c, pid_t parent, pid_t child, uint64_t clone_flags)
{
	struct cg_task *p, *k;
	uint64_t id = 0;
	enum snoop_task_src src = SNOOP_TASK_UNKNOWN;

	if (child <= 0)
		return;
	/* No event says where clone3 put the child: /proc will, marked. */
	if (!(c->h.v2 && (clone_flags & CLONE_INTO_CGROUP_FLAG))) {
		p = lookup(c, parent);
		if (p && p->src) {
			id = p->id;
			src = p->src == SNOOP_TASK_PROC ? SNOOP_TASK_PROC : SNOOP_TASK_EVENT;
		}
	}
	k = task_put(c, child);
	if (!k)
		return;
	k->id = id;
	k->src = src;
	k->tried = false;
}

bool snoop_cgroups_get(struct snoop_cgroups *c, struct snoop_task *t)
{
	struct cg_task *k = lookup(c, t->tid);
	struct cg_node *nd;

	t->cgroup_id = 0;
	t->cgroup = NULL;
	t->cgroup_short = NULL;
	t->cgroup_src = SNOOP_TASK_UNKNOWN;
	if (!k || !k->src)
		return false;
	nd = node_find(c, k->id);
	if (!nd->id || !nd->path)
		return false;
	/* The column's short form, once per cgroup, not per line. */
	if (!nd->shortp) {
		char buf[256];

		snoop_cgroup_short(nd->path, buf, sizeof(buf));
		nd->shortp = strdup(buf);
	}
	t->cgroup_id = k->id;
	t->cgroup = nd->path;
	t->cgroup_short = nd->shortp;
	t->cgroup_src = k->src;
	return true;
}

int snoop_cgroups_match(struct snoop_cgroups *c, pid_t tid)
{
	struct cg_task *k = lookup(c, tid);
	struct cg_node *nd;

	if (!k || !k->src)
		return -1;
	nd = node_find(c, k->id);
	if (!nd->id)
		return -1;
	return node_inside(c, nd);
}

size_t snoop_cgroups_held(const struct snoop_cgroups *c)
{
	return c->nused;
}

void snoop_cgroups_on_attach(struct snoop_cgroups *c, const struct snoop_record *r)
{
	struct tep_format_field *fr = snoop_event_field(r->ev, "dst_root"), *fi = snoop_event_field(r->ev, "dst_id"),
				*fp = snoop_event_field(r->ev, "dst_path"), *fpid = snoop_event_field(r->ev, "pid");
	const char *path;
	size_t len = 0;

	if (!fr || !fi || !fp || !fpid)
		return;
	path = snoop_field_str(r, fp, &len);
	if (!path)
		return;
	snoop_cgroups_attach(c, (int)snoop_field_s64(r, fr), snoop_field_u64(r, fi), path, len,
			     (pid_t)snoop_field_s64(r, fpid), true);
}

void snoop_cgroups_on_newtask(struct snoop_cgroups *c, const struct snoop_record *r)
{
	struct tep_format_field *fp = snoop_event_field(r->ev, "pid"), *ff = snoop_event_field(r->ev, "clone_flags");

	if (fp && ff)
		snoop_cgroups_fork(c, r->pid, (pid_t)snoop_field_s64(r, fp), snoop_field_u64(r, ff));
}
