/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The reaper: a small process forked when a session's instance exists,
 * that outlives the tool. If the tool dies without cleaning up (SIGKILL,
 * the OOM killer, a crash), the reaper removes the session's instance,
 * synthetic events and probes and restores what they record (sweep.c),
 * then exits; when the tool has cleaned up, it just exits.
 */
#ifndef SNOOP_REAPER_H
#define SNOOP_REAPER_H

/*
 * Fork the reaper of the session sid (instance in tracing_dir) of tool,
 * the calling process. Returns the write end of the "clean" pipe (to give
 * to snoop_reaper_release()), or -errno when no reaper could be started
 * (the next start's sweep is then the only net).
 */
int snoop_reaper_start(const char *tracing_dir, const char *instance, const char *sid, const char *tool);

/*
 * The tool's teardown is over: clean says whether it removed everything
 * (the reaper then exits at once) or not (the reaper removes the rest
 * when the tool has exited). Closes fd.
 */
void snoop_reaper_release(int fd, bool clean);

#endif
