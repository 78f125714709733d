// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kprobe's BTF names (tools/kprobe/btf.c) on kernels that do not resolve
 * them: parameter names, ->members and .members, unnamed unions, typedefs,
 * bitfields, char arrays and pointers, turned into $argN and +OFF(...)
 * fetch args with a type from the C type. The BTF is built here with
 * libbpf (the layouts mimic the kernel's, the offsets are the test's own),
 * so no kernel is needed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The tool's file is built into its binary, not the library: include it,
 * before cmocka.h, whose fail() macro would rename its fail(). */
#include "../../tools/kprobe/btf.c"

#include <cmocka.h>

static struct btf *test_btf(void)
{
	struct btf *b = btf__new_empty();
	int s32, u32, u16, u64, ul, chr, uchr, boolean, cchr, pcchr, puchr, pchr, vptr, umode, kind;
	int node, pnode, how, phow, qstr, qu, qs, dentry, pdentry, path, file, pfile, arr, arr_int, loff, ploff, sz, proto, ret;

	assert_non_null(b);
	s32 = btf__add_int(b, "int", 4, BTF_INT_SIGNED);
	u32 = btf__add_int(b, "unsigned int", 4, 0);
	u16 = btf__add_int(b, "short unsigned int", 2, 0);
	u64 = btf__add_int(b, "long long unsigned int", 8, 0);
	ul = btf__add_int(b, "long unsigned int", 8, 0);
	ret = btf__add_int(b, "long int", 8, BTF_INT_SIGNED);
	chr = btf__add_int(b, "char", 1, BTF_INT_SIGNED);
	uchr = btf__add_int(b, "unsigned char", 1, 0);
	boolean = btf__add_int(b, "_Bool", 1, BTF_INT_BOOL);
	cchr = btf__add_const(b, chr);
	pcchr = btf__add_ptr(b, cchr);
	pchr = btf__add_ptr(b, chr);
	puchr = btf__add_ptr(b, btf__add_const(b, uchr));
	vptr = btf__add_ptr(b, 0);
	umode = btf__add_typedef(b, "umode_t", u16);
	sz = btf__add_typedef(b, "size_t", ul);
	loff = btf__add_typedef(b, "loff_t", btf__add_int(b, "long long int", 8, BTF_INT_SIGNED));
	ploff = btf__add_ptr(b, loff);
	kind = btf__add_enum(b, "rw_hint", 4);
	btf__add_enum_value(b, "WRITE_LIFE_NONE", 1);

	how = btf__add_struct(b, "open_how", 24);
	btf__add_field(b, "flags", u64, 0, 0);
	btf__add_field(b, "mode", u64, 64, 0);
	btf__add_field(b, "resolve", u64, 128, 0);
	phow = btf__add_ptr(b, how);

	/* struct qstr { union { struct { u32 hash, len; }; u64 hash_len; };
	 * const unsigned char *name; } */
	qs = btf__add_struct(b, NULL, 8);
	btf__add_field(b, "hash", u32, 0, 0);
	btf__add_field(b, "len", u32, 32, 0);
	qu = btf__add_union(b, NULL, 8);
	btf__add_field(b, NULL, qs, 0, 0);
	btf__add_field(b, "hash_len", u64, 0, 0);
	qstr = btf__add_struct(b, "qstr", 16);
	btf__add_field(b, NULL, qu, 0, 0);
	btf__add_field(b, "name", puchr, 64, 0);

	/* Types first: a struct's fields must follow it directly. */
	arr = btf__add_array(b, u32, chr, 32);
	pdentry = btf__add_ptr(b, (int)btf__type_cnt(b) + 1);
	dentry = btf__add_struct(b, "dentry", 80);
	assert_int_equal(btf__type_by_id(b, pdentry)->type, dentry);
	btf__add_field(b, "d_flags", u32, 0, 0);
	btf__add_field(b, "d_parent", pdentry, 64, 0);
	btf__add_field(b, "d_name", qstr, 256, 0);
	btf__add_field(b, "d_iname", arr, 384, 0);

	path = btf__add_struct(b, "path", 16);
	btf__add_field(b, "mnt", vptr, 0, 0);
	btf__add_field(b, "dentry", pdentry, 64, 0);

	arr_int = btf__add_array(b, u32, s32, 4);
	file = btf__add_struct(b, "file", 64);
	btf__add_field(b, "f_flags", u32, 0, 0);
	btf__add_field(b, "f_mode", umode, 32, 0);
	btf__add_field(b, "f_bits", u32, 48, 3);
	btf__add_field(b, "f_wide", u32, 53, 6);
	btf__add_field(b, "f_path", path, 128, 0);
	btf__add_field(b, "f_hint", kind, 256, 0);
	btf__add_field(b, "f_ok", boolean, 288, 0);
	btf__add_field(b, "f_arr", arr_int, 320, 0);
	pfile = btf__add_ptr(b, file);

	proto = btf__add_func_proto(b, ret);
	btf__add_func_param(b, "dfd", s32);
	btf__add_func_param(b, "filename", pcchr);
	btf__add_func_param(b, "how", phow);
	assert_true(btf__add_func(b, "do_sys_openat2", BTF_FUNC_GLOBAL, proto) > 0);

	proto = btf__add_func_proto(b, ret);
	btf__add_func_param(b, "file", pfile);
	btf__add_func_param(b, "buf", pchr);
	btf__add_func_param(b, "count", sz);
	btf__add_func_param(b, "pos", ploff);
	assert_true(btf__add_func(b, "vfs_read", BTF_FUNC_GLOBAL, proto) > 0);

	proto = btf__add_func_proto(b, pfile);
	btf__add_func_param(b, "flags", u32);
	assert_true(btf__add_func(b, "alloc_file", BTF_FUNC_STATIC, proto) > 0);

	/* struct node { int v; ...; struct node *next at byte 1000; } */
	pnode = btf__add_ptr(b, (int)btf__type_cnt(b) + 1);
	node = btf__add_struct(b, "node", 1008);
	btf__add_field(b, "v", s32, 0, 0);
	btf__add_field(b, "n", pnode, 8000, 0);
	proto = btf__add_func_proto(b, s32);
	btf__add_func_param(b, "a", pnode);
	assert_true(btf__add_func(b, "walk", BTF_FUNC_GLOBAL, proto) > 0);
	(void)node;
	return b;
}

struct btf_case {
	const char *def;
	/* Good: the line the kernel gets (group "g"); bad: NULL. */
	const char *line;
	const char *err; /* bad: a substring of the message */
	int pos;         /* bad: the caret's column, -1 unchecked */
};

static const struct btf_case btf_cases[] = {
	/* Parameters by name, types from their C types. */
	{ "p do_sys_openat2 dfd filename:ustring",
	  "p:g/do_sys_openat2 do_sys_openat2 dfd=$arg1:s32 filename=+0($arg2):ustring", NULL, 0 },
	{ "p do_sys_openat2 filename", "p:g/do_sys_openat2 do_sys_openat2 filename=+0($arg2):string", NULL, 0 },
	{ "p do_sys_openat2 fd=dfd:x32", "p:g/do_sys_openat2 do_sys_openat2 fd=$arg1:x32", NULL, 0 },
	{ "p vfs_read count pos buf", "p:g/vfs_read vfs_read count=$arg3:u64 pos=$arg4:x64 buf=+0($arg2):string",
	  NULL, 0 },
	/* ->member: a load of the pointer, the member at its offset. */
	{ "p do_sys_openat2 how->flags how->mode",
	  "p:g/do_sys_openat2 do_sys_openat2 how_flags=+0($arg3):u64 how_mode=+8($arg3):u64", NULL, 0 },
	{ "p do_sys_openat2 r=arg3->resolve", "p:g/do_sys_openat2 do_sys_openat2 r=+16($arg3):u64", NULL, 0 },
	{ "p vfs_read m=file->f_mode", "p:g/vfs_read vfs_read m=+4($arg1):u16", NULL, 0 },
	{ "p vfs_read f=file->f_flags:x32", "p:g/vfs_read vfs_read f=+0($arg1):x32", NULL, 0 },
	{ "p vfs_read h=file->f_hint ok=file->f_ok", "p:g/vfs_read vfs_read h=+32($arg1):s32 ok=+36($arg1):u8",
	  NULL, 0 },
	/* .member moves within a struct; -> through a pointer member. */
	{ "p vfs_read d=file->f_path.dentry", "p:g/vfs_read vfs_read d=+24($arg1):x64", NULL, 0 },
	{ "p vfs_read n=file->f_path.dentry->d_name.name:string",
	  "p:g/vfs_read vfs_read n=+0(+40(+24($arg1))):string", NULL, 0 },
	/* Members of unnamed unions and structs. */
	{ "p vfs_read l=file->f_path.dentry->d_name.len", "p:g/vfs_read vfs_read l=+36(+24($arg1)):u32", NULL, 0 },
	{ "p vfs_read l=file->f_path.dentry->d_name.hash_len",
	  "p:g/vfs_read vfs_read l=+32(+24($arg1)):u64", NULL, 0 },
	/* A char array: the string is at the member's address. */
	{ "p vfs_read i=file->f_path.dentry->d_iname", "p:g/vfs_read vfs_read i=+48(+24($arg1)):string", NULL, 0 },
	{ "p vfs_read i=file->f_path.dentry->d_parent->d_iname",
	  "p:g/vfs_read vfs_read i=+48(+8(+24($arg1))):string", NULL, 0 },
	/* Bitfields: the byte that holds them, b<width>@<bit>/<container>. */
	{ "p vfs_read b=file->f_bits", "p:g/vfs_read vfs_read b=+6($arg1):b3@0/8", NULL, 0 },
	{ "p vfs_read w=file->f_wide", "p:g/vfs_read vfs_read w=+6($arg1):b6@5/16", NULL, 0 },
	/* The return value (a pointer) and its members. */
	{ "r alloc_file f=retval->f_flags", "r:g/alloc_file_ret alloc_file f=+0($retval):u32", NULL, 0 },
	{ "r alloc_file m=retval->f_path.dentry->d_name.name:string",
	  "r:g/alloc_file_ret alloc_file m=+0(+40(+24($retval))):string", NULL, 0 },
	/* BTF and plain args together. */
	{ "p vfs_read file->f_flags x=%di", "p:g/vfs_read vfs_read file_f_flags=+0($arg1):u32 x=%di", NULL, 0 },

	/* Refusals, with the caret under the argument (its NAME= included)
	 * or the function. */
	{ "p vfs_read nosuch", NULL, "vfs_read has no parameter 'nosuch' (it has: file, buf, count, pos)", 11 },
	{ "p vfs_read x=file->nosuch", NULL, "struct file has no member 'nosuch'", 11 },
	{ "p vfs_read x=count->x", NULL, "'->x': the value before it is not a pointer (use '.')", 11 },
	{ "p vfs_read x=file->f_path->dentry", NULL, "'->dentry': the value before it is not a pointer", 11 },
	{ "p vfs_read x=file.f_mode", NULL, "'.f_mode': only a struct member can be followed by '.'", 11 },
	{ "p vfs_read x=file->f_flags.x", NULL, "'.x': the value before it is not a struct (use '->')", 11 },
	{ "p vfs_read x=file->f_path", NULL, "is a struct, union or array: name one of its members", 11 },
	{ "p vfs_read x=file->f_arr", NULL, "is a struct, union or array", 11 },
	{ "p vfs_read x=file->f_bits.x", NULL, "'x' follows a bitfield", 11 },
	{ "p vfs_read x=arg9->f_mode", NULL, "vfs_read has 4 parameters, not arg9", 11 },
	{ "p vfs_read+8 x=file->f_mode", NULL, "parameters by name need the function entry (no +OFFS)", 13 },
	{ "p no_such_fn x=a->b", NULL, "the kernel's BTF does not describe no_such_fn", 2 },
	{ "p 0xffffffff81000000 x=a->b", NULL, "BTF names need a function, not an address", 21 },
	/* The kernel's 63-character limit on one fetch arg: short names,
	 * long offsets. */
	{ "p walk x=a->n->n->n->v", "p:g/walk walk x=+0(+1000(+1000(+1000($arg1)))):s32", NULL, 0 },
	{ "p walk x=a->n->n->n->n->n->n->n->n->v", NULL, "longer than the kernel's 63 characters", 7 },
};

static void test_btf_table(void **state)
{
	struct snoop_probe_def *d = calloc(1, sizeof(*d));
	struct btf *btf = test_btf();
	struct snoop_probe_error err;
	struct snoop_buf line;
	char event[64];
	int failures = 0;

	(void)state;
	snoop_buf_init(&line);
	for (size_t i = 0; i < sizeof(btf_cases) / sizeof(btf_cases[0]); i++) {
		const struct btf_case *c = &btf_cases[i];
		bool ok;
		int r;

		if (snoop_probe_parse(c->def, d, &err) < 0) {
			fprintf(stderr, "btf case %zu '%s': the parser refused it: %s\n", i, c->def, err.msg);
			failures++;
			continue;
		}
		memset(&err, 0, sizeof(err));
		r = kp_btf_resolve_in(btf, d, &err);
		snoop_buf_reset(&line);
		if (c->line) {
			ok = r == 0;
			if (ok) {
				snoop_probe_event_name(d, event, sizeof(event));
				ok = snoop_probe_render(d, "g", event, NULL, &line, &err) == 0 &&
				     !strcmp(snoop_buf_cstr(&line), c->line);
			}
			if (!ok)
				fprintf(stderr, "btf case %zu '%s': got '%s' (%s), want '%s'\n", i, c->def,
					snoop_buf_cstr(&line), err.msg, c->line);
		} else {
			ok = r < 0 && strstr(err.msg, c->err) && (c->pos < 0 || err.pos == c->pos);
			if (!ok)
				fprintf(stderr, "btf case %zu '%s': got %s '%s' at %d, want '%s' at %d\n", i, c->def,
					r < 0 ? "error" : "success", err.msg, err.pos, c->err, c->pos);
		}
		failures += !ok;
	}
	snoop_buf_free(&line);
	btf__free(btf);
	free(d);
	assert_int_equal(failures, 0);
}

/* No BTF at all: a clear refusal naming the argument; definitions without
 * BTF names need none. */
static void test_no_btf(void **state)
{
	struct snoop_probe_def *d = calloc(1, sizeof(*d));
	struct snoop_probe_error err;

	(void)state;
	assert_int_equal(snoop_probe_parse("p vfs_read x=%di:u32 c=arg3", d, &err), 0);
	assert_int_equal(kp_btf_resolve_in(NULL, d, &err), 0);
	assert_int_equal(snoop_probe_parse("p vfs_read file->f_mode", d, &err), 0);
	assert_int_equal(kp_btf_resolve_in(NULL, d, &err), -1);
	assert_non_null(strstr(err.msg, "'file->f_mode' needs the kernel's BTF"));
	assert_int_equal(err.pos, 11);
	/* The kernel resolves fprobe names itself: nothing to do here. */
	assert_int_equal(snoop_probe_parse("f:vfs_read file->f_mode", d, &err), 0);
	assert_int_equal(kp_btf_resolve(d, true, &err), 0);
	assert_false(d->args[0].btf);
	free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_btf_table),
		cmocka_unit_test(test_no_btf),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
