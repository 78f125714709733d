// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kprobe -c through the kernel's own hit counter: the fast counting path.
 *
 * A kprobe's handler counts every hit in kprobe_profile (nhit) before it
 * looks at the event at all; a uprobe's in uprobe_profile (u: only: a
 * uretprobe's counts its calls; and from 6.12 on, whose counter is per
 * CPU: before, a plain increment that two CPUs can lose). So each probe's
 * event gets a trigger that needs no record and never acts, "traceoff:0"
 * (a traceoff with a count of 0: the kernel's count triggers return at
 * once when their count is 0, and act on the instance's tracing_on only
 * when they fire): it soft-enables the event (enable reads 0*), which
 * registers the probe, and nothing is built or written per hit. Each tick
 * reads the profile files and prints what grew since the last read.
 *
 * What it counts differs from the hist path in one way: every hit, kprobe's
 * own included (its reads of the profile, its writes of output), as
 * funccount does; the hist path leaves kprobe's own pid out. --exclude-self
 * takes the hist path. What it costs the traced workload: bench/RESULTS.md
 * ("kprobe -c through the kernel's hit counter").
 *
 * The profiles name events without their group: the session names each
 * probe's event <event>_<token>_<pid> (its group's unique part), and every
 * read checks that the name is on exactly one line.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <snoop/hist.h>
#include <snoop/hitcount.h>

#include "kprobe.h"

/* The trigger: a traceoff that may fire 0 times. */
#define KP_NHIT_TRIGGER "traceoff:0"

static const char *const profile_file[KP_NPROFILES] = { "kprobe_profile", "uprobe_profile" };

/* uprobe_profile counts per CPU from 6.12 on (before: tu->nhit++). */
static bool uprobe_counter_exact(void)
{
	struct utsname u;
	int major = 0, minor = 0;

	if (uname(&u) < 0 || sscanf(u.release, "%d.%d", &major, &minor) != 2)
		return false;
	return major > 6 || (major == 6 && minor >= 12);
}

static bool profile_readable(struct kp *kp, int which)
{
	char path[1024];

	snprintf(path, sizeof(path), "%s/%s", snoop_session_tracing_dir(kp->a.s), profile_file[which]);
	return access(path, R_OK) == 0;
}

const char *kp_nhit_why_not(struct kp *kp)
{
	const struct snoop_opts *c = &kp->a.common;
	char path[1024];

	if (!kp->o->count)
		return "";
	if (kp->o->user_count)
		return "--user-count";
	if (kp->o->exclude_self)
		return "--exclude-self";
	if (kp->o->by != KP_BY_NONE || kp->o->stacks || c->top)
		return "it counts per probe, not per key or stack";
	if (c->pid || c->tid || c->comm || c->ncgroups || c->max_events)
		return "it cannot filter by task or stop at a hit";
	for (int i = 0; i < kp->nprobes; i++) {
		struct kp_probe *p = &kp->probes[i];
		const struct snoop_probe_def *d = p->def;

		if (d->filter[0])
			return "it cannot filter";
		if (d->kind == SNOOP_PROBE_KPROBE || d->kind == SNOOP_PROBE_KRETPROBE) {
			p->profile = KP_PROFILE_K;
		} else if (d->kind == SNOOP_PROBE_UPROBE) {
			if (!uprobe_counter_exact())
				return "a uprobe's counter is exact from 6.12 on";
			p->profile = KP_PROFILE_U;
		} else {
			return "only p:, r: and u: probes have it";
		}
		if (!profile_readable(kp, p->profile))
			return p->profile == KP_PROFILE_K ? "the kernel has no kprobe_profile"
							  : "the kernel has no uprobe_profile";
	}
	/* A session records its triggers there, for the reaper and the sweep
	 * (snoop_event_trigger): without it, no trigger. */
	snprintf(path, sizeof(path), "%s/synthetic_events", snoop_session_tracing_dir(kp->a.s));
	if (access(path, W_OK) < 0)
		return "the kernel has no synthetic_events to record its trigger in (CONFIG_SYNTH_EVENTS)";
	return NULL;
}

void kp_nhit_event_name(struct kp *kp, struct kp_probe *p)
{
	/* "snoop_<token>_<pid>" -> "_<token>_<pid>": unique on the machine. */
	const char *suffix = snoop_session_group(kp->a.s) + strlen("snoop");
	size_t room = SNOOP_PROBE_NAME_MAX - strlen(suffix);

	if (strlen(p->event) <= room)
		snprintf(p->kevent, sizeof(p->kevent), "%s%s", p->event, suffix);
	else /* cut, and kept apart from the session's other cut names */
		snprintf(p->kevent, sizeof(p->kevent), "%.*s_%02d%s", (int)room - 3, p->event, p->idx, suffix);
}

/* The baseline, just before tracing goes on: the triggers registered the
 * probes earlier, and what they counted until now is not the run's. */
static int arm(struct snoop_session *s, void *ctx)
{
	(void)s;
	return kp_nhit_collect(ctx);
}

int kp_nhit_setup(struct kp *kp)
{
	bool used[KP_NPROFILES] = { false };

	for (int i = 0; i < kp->nprobes; i++)
		used[kp->probes[i].profile] = true;
	for (int k = 0; k < KP_NPROFILES; k++) {
		int r = used[k] ? snoop_hitcount_open(&kp->hitcount[k], snoop_session_tracing_dir(kp->a.s),
						      profile_file[k]) : 0;

		if (r < 0) {
			snoop_err(kp->a.s, "cannot open %s: %s", profile_file[k], strerror(-r));
			return 1;
		}
	}
	for (int i = 0; i < kp->nprobes; i++)
		if (snoop_event_trigger(kp->probes[i].ev, KP_NHIT_TRIGGER, NULL) < 0)
			return 1;
	snoop_session_on_arm(kp->a.s, arm, kp);
	if (kp->a.common.verbose)
		snoop_warn(kp->a.s, "counting in the kernel: its hit counter (%s%s%s), read every %s; every "
			  "hit is counted, kprobe's own too (--exclude-self: hist triggers, without them)",
			  used[KP_PROFILE_K] ? profile_file[KP_PROFILE_K] : "", used[0] && used[1] ? ", " : "",
			  used[KP_PROFILE_U] ? profile_file[KP_PROFILE_U] : "",
			  kp->o->interval > 0 ? "interval" : "run's end");
	return 0;
}

int kp_nhit_collect(struct kp *kp)
{
	int r;

	for (int k = 0; k < KP_NPROFILES; k++) {
		if (!kp->hitcount[k].open)
			continue;
		r = snoop_hitcount_read(&kp->hitcount[k]);
		if (r < 0) {
			snoop_err(kp->a.s, "cannot read %s: %s", profile_file[k], strerror(-r));
			goto fail;
		}
	}
	for (int i = 0; i < kp->nprobes; i++) {
		struct kp_probe *p = &kp->probes[i];
		uint64_t hits = 0, missed = 0;

		r = snoop_hitcount_find(kp->hitcount[p->profile].text, p->kevent, &hits, &missed);
		if (r != 1) {
			snoop_err(kp->a.s, "%s has %s line for %s: its count cannot be told apart", profile_file[p->profile],
				  r == 0 ? "no" : "more than one", p->kevent);
			goto fail;
		}
		if (kp->started_counting && hits > p->nhit_prev) {
			if (kp_counts_add(&kp->counts, p->idx, 0, "", 0, 0, hits - p->nhit_prev) < 0) {
				kp_fail_oom(kp);
				goto fail;
			}
			kp->hits += hits - p->nhit_prev;
			p->hits += hits - p->nhit_prev;
		}
		/* A hit the kernel could not handle (the probe reentered, a
		 * kretprobe without a free instance) is in missed, not hits. */
		if (kp->started_counting && missed > p->nmiss_prev)
			snoop_warn(kp->a.s, "%s: %llu hits missed by the kernel (%s), not counted", p->event,
				   (unsigned long long)(missed - p->nmiss_prev), profile_file[p->profile]);
		p->nhit_prev = hits;
		p->nmiss_prev = missed;
	}
	kp->started_counting = true;
	return 0;
fail:
	kp->failed = true;
	snoop_session_stop(kp->a.s);
	return -1;
}
