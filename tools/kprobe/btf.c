// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * BTF names in fetch args: "filename", "how->flags", "$arg3->flags",
 * "retval->f_mode". Kernels that resolve them (fprobes on 6.x with
 * CONFIG_PROBE_EVENTS_BTF_ARGS) get them as they are; everywhere else we
 * read the function's prototype and the structs' layouts from
 * /sys/kernel/btf/vmlinux with libbpf and write the kernel's own syntax:
 * $argN for a parameter, +OFF(...) for each ->member, and a fetch type
 * from the member's C type.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/btf.h>

#include "kprobe.h"

/* Through typedefs and qualifiers to the type that has a layout. */
static const struct btf_type *resolve(const struct btf *btf, __u32 id, __u32 *out_id)
{
	const struct btf_type *t = btf__type_by_id(btf, id);

	while (t && (btf_is_typedef(t) || btf_is_mod(t))) {
		id = t->type;
		t = btf__type_by_id(btf, id);
	}
	if (out_id)
		*out_id = id;
	return t;
}

/* A member of a struct/union by name, looking into anonymous members
 * (the kernel is full of unnamed unions). Bit offset from the start. */
static bool find_member(const struct btf *btf, const struct btf_type *t, const char *name, __u32 *bitoff,
			__u32 *type_id, __u32 *bitsize)
{
	const struct btf_member *m = btf_members(t);

	for (int i = 0; i < btf_vlen(t); i++, m++) {
		const char *mn = btf__name_by_offset(btf, m->name_off);
		__u32 off = btf_member_bit_offset(t, (__u32)i);

		if (mn && *mn) {
			if (strcmp(mn, name))
				continue;
			*bitoff = off;
			*type_id = m->type;
			*bitsize = btf_member_bitfield_size(t, (__u32)i);
			return true;
		} else {
			const struct btf_type *inner = resolve(btf, m->type, NULL);
			__u32 sub;

			if (inner && (btf_is_struct(inner) || btf_is_union(inner)) &&
			    find_member(btf, inner, name, &sub, type_id, bitsize)) {
				*bitoff = off + sub;
				return true;
			}
		}
	}
	return false;
}

static bool is_char(const struct btf *btf, __u32 id)
{
	const struct btf_type *t = resolve(btf, id, NULL);

	return t && btf_is_int(t) && t->size == 1;
}

/* The fetch type for a value of BTF type id (the user gave none). */
static int infer_type(const struct btf *btf, __u32 id, char *type, size_t len, bool *string_at,
		      bool *deref_string)
{
	const struct btf_type *t = resolve(btf, id, NULL);

	*string_at = *deref_string = false;
	if (!t)
		return -1;
	if (btf_is_int(t)) {
		bool sign = btf_int_encoding(t) & BTF_INT_SIGNED;

		if (btf_int_encoding(t) & BTF_INT_BOOL || t->size == 1)
			sign = btf_int_encoding(t) & BTF_INT_SIGNED && !(btf_int_encoding(t) & BTF_INT_BOOL);
		snprintf(type, len, "%c%u", sign ? 's' : 'u', t->size * 8);
		return 0;
	}
	if (btf_is_enum(t) || btf_is_enum64(t)) {
		snprintf(type, len, "s%u", t->size * 8);
		return 0;
	}
	if (btf_is_ptr(t)) {
		if (is_char(btf, t->type)) {
			snprintf(type, len, "string");
			*deref_string = true;
		} else {
			snprintf(type, len, "x64");
		}
		return 0;
	}
	if (btf_is_array(t) && is_char(btf, btf_array(t)->type)) {
		snprintf(type, len, "string");
		*string_at = true;
		return 0;
	}
	return -1;
}

static bool is_string_type(const char *type)
{
	return !strcmp(type, "string") || !strcmp(type, "ustring") || !strcmp(type, "symstr");
}

/* Next separator of a chain: "->" or ".". Cuts the string there. */
static char *next_sep(char *s, bool *arrow)
{
	char *a = strstr(s, "->"), *d = strchr(s, '.');

	if (!a && !d)
		return NULL;
	if (a && (!d || a < d)) {
		*a = '\0';
		*arrow = true;
		return a + 2;
	}
	*d = '\0';
	*arrow = false;
	return d + 1;
}

/*
 * One BTF name into kernel syntax. While walking the chain, fetch is an
 * expression whose value is an address and, once a member is named,
 * the member lives at fetch + acc (an lvalue): "->" loads it (+acc(...)),
 * "." only moves acc, the leaf reads it with its type.
 */
static int resolve_arg(const struct btf *btf, const struct snoop_probe_def *d, const struct btf_type *proto,
		       struct snoop_probe_arg *a, struct snoop_probe_error *err)
{
	char expr[sizeof(a->fetch)], fetch[256], tmp[300];
	const struct btf_param *params = btf_params(proto);
	char *tok, *next;
	__u32 type_id = 0, bitoff = 0, bitsize = 0, acc = 0;
	int nparams = btf_vlen(proto);
	bool lv = false, arrow = false;

	snprintf(expr, sizeof(expr), "%s", a->fetch);
	tok = expr;
	next = next_sep(expr, &arrow);
	/* The base: a parameter by name or number, or the return value. */
	if (!strcmp(tok, "$retval")) {
		type_id = proto->type;
		snprintf(fetch, sizeof(fetch), "$retval");
	} else {
		int idx = -1;

		if (!strncmp(tok, "$arg", 4)) {
			idx = atoi(tok + 4) - 1;
			if (idx < 0 || idx >= nparams)
				return snoop_probe_fail(err, a->pos, "%s has %d parameters, not %s", d->func, nparams, tok + 1);
		} else {
			for (int i = 0; i < nparams; i++)
				if (!strcmp(btf__name_by_offset(btf, params[i].name_off), tok))
					idx = i;
			if (idx < 0) {
				char names[120] = "";

				for (int i = 0; i < nparams; i++)
					snprintf(names + strlen(names), sizeof(names) - strlen(names), "%s%s",
						 i ? ", " : "", btf__name_by_offset(btf, params[i].name_off));
				return snoop_probe_fail(err, a->pos, "%s has no parameter '%s' (it has: %s)", d->func, tok,
					    names);
			}
		}
		if (d->offset)
			return snoop_probe_fail(err, a->pos, "parameters by name need the function entry (no +OFFS)");
		type_id = params[idx].type;
		snprintf(fetch, sizeof(fetch), "$arg%d", idx + 1);
	}
	while (next) {
		const struct btf_type *t = resolve(btf, type_id, NULL), *st;
		char *member = next;
		bool this_arrow = arrow;
		__u32 off;

		next = next_sep(member, &arrow);
		if (bitsize)
			return snoop_probe_fail(err, a->pos, "'%s' follows a bitfield", member);
		if (this_arrow) {
			if (lv) {
				snprintf(tmp, sizeof(tmp), "+%u(%s)", acc, fetch);
				snprintf(fetch, sizeof(fetch), "%s", tmp);
			}
			if (!t || !btf_is_ptr(t))
				return snoop_probe_fail(err, a->pos, "'->%s': the value before it is not a pointer (use '.')", member);
			st = resolve(btf, t->type, NULL);
			acc = 0;
		} else {
			if (!lv)
				return snoop_probe_fail(err, a->pos, "'.%s': only a struct member can be followed by '.'", member);
			st = t;
		}
		if (!st || !(btf_is_struct(st) || btf_is_union(st)))
			return snoop_probe_fail(err, a->pos, "'%s%s': the value before it is not a struct%s", this_arrow ? "->" : ".",
				    member, this_arrow ? " pointer" : " (use '->')");
		if (!find_member(btf, st, member, &off, &type_id, &bitsize))
			return snoop_probe_fail(err, a->pos, "struct %s has no member '%s'", btf__name_by_offset(btf, st->name_off),
				    member);
		if (bitsize) {
			bitoff = (acc * 8) + off;
			acc = 0;
		} else {
			acc += off / 8;
		}
		lv = true;
	}
	/* The leaf's type, and the final read. */
	if (bitsize) {
		unsigned o = bitoff % 8, c = 8;

		while (o + bitsize > c)
			c *= 2;
		if (c > 64)
			return snoop_probe_fail(err, a->pos, "bitfield too wide");
		snprintf(tmp, sizeof(tmp), "+%u(%s)", bitoff / 8, fetch);
		snprintf(fetch, sizeof(fetch), "%s", tmp);
		if (!a->type[0])
			snprintf(a->type, sizeof(a->type), "b%u@%u/%u", bitsize, o, c);
	} else {
		bool string_at, deref_string;
		char inferred[32];
		int r = infer_type(btf, type_id, inferred, sizeof(inferred), &string_at, &deref_string);

		if (!a->type[0]) {
			if (r < 0)
				return snoop_probe_fail(err, a->pos, "'%s' is a struct, union or array: name one of its members",
					    a->fetch);
			snprintf(a->type, sizeof(a->type), "%s", inferred);
		}
		if (is_string_type(a->type) && string_at) {
			/* A char array member: the string is at its address,
			 * which is what +OFF(...) means for a string type. */
			if (!lv)
				return snoop_probe_fail(err, a->pos, "a char array parameter cannot be fetched as a string");
			snprintf(tmp, sizeof(tmp), "+%u(%s)", acc, fetch);
		} else if (is_string_type(a->type)) {
			/* A char pointer: load it, the string is where it points. */
			if (lv)
				snprintf(tmp, sizeof(tmp), "+0(+%u(%s))", acc, fetch);
			else
				snprintf(tmp, sizeof(tmp), "+0(%s)", fetch);
		} else if (lv) {
			snprintf(tmp, sizeof(tmp), "+%u(%s)", acc, fetch);
		} else {
			snprintf(tmp, sizeof(tmp), "%s", fetch);
		}
		snprintf(fetch, sizeof(fetch), "%s", tmp);
	}
	if (strlen(fetch) > SNOOP_PROBE_ARGSTR_MAX)
		return snoop_probe_fail(err, a->pos, "'%s' becomes %s, longer than the kernel's %d characters", a->fetch, fetch,
			    SNOOP_PROBE_ARGSTR_MAX);
	snprintf(a->fetch, sizeof(a->fetch), "%s", fetch);
	a->btf = false;
	return 0;
}

static bool has_btf_args(const struct snoop_probe_def *d)
{
	for (int i = 0; i < d->nargs; i++)
		if (d->args[i].btf)
			return true;
	return false;
}

int kp_btf_resolve_in(const struct btf *btf, struct snoop_probe_def *d, struct snoop_probe_error *err)
{
	const struct btf_type *fn, *proto;
	__s32 id;

	if (!has_btf_args(d))
		return 0;
	for (int i = 0; i < d->nargs; i++) {
		if (!d->args[i].btf)
			continue;
		if (d->has_addr)
			return snoop_probe_fail(err, d->args[i].pos, "BTF names need a function, not an address");
		if (!btf)
			return snoop_probe_fail(err, d->args[i].pos, "'%s' needs the kernel's BTF (/sys/kernel/btf/vmlinux)",
				    d->args[i].fetch);
	}
	id = btf__find_by_name_kind(btf, d->func, BTF_KIND_FUNC);
	fn = id > 0 ? btf__type_by_id(btf, (__u32)id) : NULL;
	proto = fn ? btf__type_by_id(btf, fn->type) : NULL;
	if (!proto || !btf_is_func_proto(proto))
		return snoop_probe_fail(err, d->target_pos, "the kernel's BTF does not describe %s (a module, or static and "
			    "inlined?): use $argN and +OFF(...)", d->func);
	for (int i = 0; i < d->nargs; i++)
		if (d->args[i].btf && resolve_arg(btf, d, proto, &d->args[i], err) < 0)
			return -1;
	return 0;
}

int kp_btf_resolve(struct snoop_probe_def *d, bool kernel_btf, struct snoop_probe_error *err)
{
	struct btf *btf;
	int ret;

	if (!has_btf_args(d))
		return 0;
	if (kernel_btf) {
		for (int i = 0; i < d->nargs; i++)
			d->args[i].btf = false;
		return 0;
	}
	if (d->has_addr)
		return kp_btf_resolve_in(NULL, d, err);
	btf = btf__load_vmlinux_btf();
	if (!btf) {
		int e = errno;

		kp_btf_resolve_in(NULL, d, err);
		snprintf(err->msg + strlen(err->msg), sizeof(err->msg) - strlen(err->msg), ": %s", strerror(e));
		return -1;
	}
	ret = kp_btf_resolve_in(btf, d, err);
	btf__free(btf);
	return ret;
}
