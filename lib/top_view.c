// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The --top view: a curses screen when stdout is a terminal, the text table
 * every interval otherwise. It lives inside the session's read loop: drawn
 * on the session's tick, keys read when the session says stdin is readable,
 * SIGWINCH taken as a readable signalfd (so no handler, no global state).
 *
 * While the screen is ours, stderr (when it is the terminal too) goes to a
 * memfd: a warning written over the table would be wiped by the next draw
 * and lost with the alternate screen. It is written out after endwin().
 */
#include <errno.h>
#include <fcntl.h>
#include <langinfo.h>
#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>
#include <wchar.h>

#include <curses.h>

#include <snoop/session.h>
#include <snoop/top.h>

#include "top_internal.h"

/* Keep at most this much of what was written to stderr during the screen. */
#define ERR_REPLAY_MAX (64 * 1024)
#define FILTER_MAX 200

struct top_view {
	struct snoop_top *t;
	struct snoop_session *s;     /* NULL once the session closed */
	double interval;
	struct snoop_buf title;      /* the escaped command line */

	bool curses;                 /* the screen is ours */
	SCREEN *scr;
	bool utf8;                   /* else non-ASCII is shown as '?' */
	size_t scroll;
	bool editing;                /* typing a filter after '/' */
	struct snoop_buf edit;
	int sigfd;
	sigset_t oldmask;
	bool masked;
	int err_fd, saved_err;

	uint64_t start_ns, last_ns, last_events;
	double rate;
	struct snoop_buf line, cell;
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void put_elapsed(struct snoop_buf *b, uint64_t ns)
{
	unsigned long long s = ns / 1000000000ull;

	snoop_buf_printf(b, "%llu:%02llu:%02llu", s / 3600, s / 60 % 60, s % 60);
}

/* The header's facts, the same in both views. */
static void put_stats(struct top_view *v, struct snoop_buf *b)
{
	struct snoop_top_stats st;

	snoop_top_get_stats(v->t, &st);
	snoop_buf_adds(b, "elapsed ");
	put_elapsed(b, now_ns() - v->start_ns);
	snoop_buf_printf(b, ", %.1f events/s, lost %llu, keys %zu/%zu", v->rate,
			 (unsigned long long)(v->s ? snoop_session_lost(v->s) : 0), st.keys, st.max_keys);
	if (st.dropped_keys)
		snoop_buf_printf(b, ", dropped %llu (%llu events)", (unsigned long long)st.dropped_keys,
				 (unsigned long long)st.dropped_events);
}

/* ---- curses --------------------------------------------------------------- */

/* Without a UTF-8 locale curses would show UTF-8 bytes as "M-x" junk: one
 * '?' per code point instead. The text is the escapers' output, so it is
 * well-formed and free of control bytes either way. */
static void ascii_only(struct snoop_buf *b)
{
	size_t o = 0;

	for (size_t i = 0; i < b->len; i++) {
		unsigned char c = (unsigned char)b->data[i];

		if (c < 0x80)
			b->data[o++] = (char)c;
		else if (c >= 0xc0)
			b->data[o++] = '?';
	}
	b->len = o;
}

/* How many bytes of s fit in maxcells terminal cells; *cells gets the
 * cells they take (wide characters take two). */
static size_t fit(const char *s, size_t n, int maxcells, int *cells)
{
	mbstate_t st;
	size_t i = 0;
	int used = 0;

	memset(&st, 0, sizeof(st));
	while (i < n) {
		wchar_t wc;
		size_t k = mbrtowc(&wc, s + i, n - i, &st);
		int w;

		if (k == (size_t)-1 || k == (size_t)-2 || k == 0) {
			memset(&st, 0, sizeof(st));
			k = 1;
			w = 1;
		} else {
			w = wcwidth(wc);
			if (w < 0)
				w = 1;
		}
		if (used + w > maxcells)
			break;
		used += w;
		i += k;
	}
	*cells = used;
	return i;
}

/* Draw b at (y, x), cut to maxcells; returns the cells drawn. */
static int put(struct top_view *v, int y, int x, struct snoop_buf *b, int maxcells)
{
	size_t n;
	int cells;

	if (maxcells <= 0 || y < 0 || y >= LINES || x >= COLS)
		return 0;
	if (!v->utf8)
		ascii_only(b);
	n = fit(b->data ? b->data : "", b->len, maxcells, &cells);
	if (n)
		mvaddnstr(y, x, b->data, (int)n);
	return cells;
}

static int put_str(struct top_view *v, int y, int x, const char *s, int maxcells)
{
	snoop_buf_reset(&v->line);
	snoop_buf_adds(&v->line, s);
	return put(v, y, x, &v->line, maxcells);
}

/* A number that does not fit its column is shown as 12.3k/M/G/T rather
 * than cut: a cut number reads as a different number. */
static void fit_number(struct snoop_buf *b, int width)
{
	static const char units[] = "kMGTPE";
	double d;
	int u = -1;

	if (width <= 0 || b->len <= (size_t)width || b->data[0] == '-')
		return;
	d = strtod(snoop_buf_cstr(b), NULL);
	while (u < 5 && (d >= 999.5 || u < 0)) {
		d /= 1000;
		u++;
	}
	snoop_buf_reset(b);
	snoop_buf_printf(b, d < 9.95 ? "%.1f%c" : "%.0f%c", d, units[u]);
}

static void col_layout(struct top_view *v, int *x, int *w)
{
	struct snoop_top *t = v->t;
	int used = 0, rest = -1;

	for (int i = 0; i < t->ncols; i++) {
		w[i] = t->cols[i].width;
		if (!w[i])
			rest = i;
		used += w[i] + (i ? 1 : 0);
	}
	if (rest >= 0)
		w[rest] = COLS - used > 1 ? COLS - used : 1;
	for (int i = 0, pos = 0; i < t->ncols; i++) {
		x[i] = pos;
		pos += w[i] + 1;
	}
}

static void draw(struct top_view *v)
{
	struct snoop_top *t = v->t;
	struct snoop_top_row *const *rows;
	struct snoop_top_stats st;
	int x[SNOOP_TOP_MAX_COLS], w[SNOOP_TOP_MAX_COLS];
	int body = LINES - 4, cells;
	size_t n, last;

	if (!v->curses)
		return;
	n = snoop_top_rows(t, &rows);
	snoop_top_get_stats(t, &st);
	if (body < 0)
		body = 0;
	if (v->scroll + (size_t)body > n)
		v->scroll = n > (size_t)body ? n - (size_t)body : 0;
	erase();

	/* 0: what runs, and how it goes. */
	snoop_buf_reset(&v->cell);
	put_stats(v, &v->cell);
	cells = put(v, 0, 0, &v->title, COLS);
	if (COLS - cells - 2 > 0) {
		int avail = COLS - cells - 2, cw;
		size_t fitn = fit(v->cell.data, v->cell.len, avail, &cw);

		/* Right-aligned when it all fits, else after the title. */
		if (fitn == v->cell.len)
			put(v, 0, COLS - cw, &v->cell, cw);
		else
			put(v, 0, cells + 2, &v->cell, avail);
	}

	/* 1: the view's state. */
	snoop_buf_reset(&v->cell);
	last = n < v->scroll + (size_t)body ? n : v->scroll + (size_t)body;
	if (n)
		snoop_buf_printf(&v->cell, "rows %zu-%zu of %zu", v->scroll + 1, last, n);
	else
		snoop_buf_adds(&v->cell, "no rows");
	snoop_buf_printf(&v->cell, "  sort %s", t->cols[t->sort_col].name);
	if (t->filter) {
		snoop_buf_adds(&v->cell, "  filter \"");
		snoop_escape_text(&v->cell, t->filter, strlen(t->filter));
		snoop_buf_adds(&v->cell, "\"");
	}
	if (t->paused)
		snoop_buf_printf(&v->cell, "  PAUSED (%llu events not counted)",
				 (unsigned long long)st.paused_events);
	put(v, 1, 0, &v->cell, COLS);

	/* 2: column names, the sort column underlined. */
	col_layout(v, x, w);
	attron(A_REVERSE);
	mvhline(2, 0, ' ', COLS);
	for (int i = 0; i < t->ncols; i++) {
		const struct snoop_top_col *c = &t->cols[i];
		bool right = c->kind == SNOOP_TOP_COUNT || c->kind == SNOOP_TOP_NUMBER;
		int len = (int)strlen(c->name), pad = right && w[i] > len ? w[i] - len : 0;

		if (i == t->sort_col)
			attron(A_BOLD | A_UNDERLINE);
		put_str(v, 2, x[i] + pad, c->name, w[i] - pad);
		if (i == t->sort_col)
			attroff(A_BOLD | A_UNDERLINE);
	}
	attroff(A_REVERSE);

	/* 3..: the rows. */
	for (int y = 0; y < body && v->scroll + (size_t)y < n; y++) {
		const struct snoop_top_row *r = rows[v->scroll + (size_t)y];

		for (int i = 0; i < t->ncols; i++) {
			const struct snoop_top_col *c = &t->cols[i];

			snoop_buf_reset(&v->cell);
			snoop_top_put_cell(t, r, i, &v->cell);
			if (c->kind == SNOOP_TOP_COUNT || c->kind == SNOOP_TOP_NUMBER) {
				fit_number(&v->cell, w[i]);
				put(v, 3 + y, x[i] + (w[i] > (int)v->cell.len ? w[i] - (int)v->cell.len : 0),
				    &v->cell, w[i]);
			} else {
				put(v, 3 + y, x[i], &v->cell, w[i]);
			}
		}
	}

	/* Last line: the keys, or the filter being typed. */
	if (LINES >= 2) {
		if (v->editing) {
			snoop_buf_reset(&v->cell);
			snoop_buf_adds(&v->cell, "filter: ");
			snoop_escape_text(&v->cell, v->edit.data ? v->edit.data : "", v->edit.len);
			snoop_buf_adds(&v->cell, "_   (Enter: keep, Esc: clear)");
			put(v, LINES - 1, 0, &v->cell, COLS);
		} else {
			attron(A_DIM);
			put_str(v, LINES - 1, 0,
				"q quit  s/S sort  p pause  r reset  / filter  arrows PgUp PgDn scroll", COLS);
			attroff(A_DIM);
		}
	}
	refresh();
}

static void edit_key(struct top_view *v, int ch)
{
	switch (ch) {
	case '\n':
	case '\r':
	case KEY_ENTER:
		v->editing = false;
		return;
	case 27: /* Esc: no filter */
		v->editing = false;
		snoop_buf_reset(&v->edit);
		break;
	case KEY_BACKSPACE:
	case 127:
	case 8:
		/* A whole UTF-8 character: its continuation bytes, then the lead. */
		while (v->edit.len && ((unsigned char)v->edit.data[v->edit.len - 1] & 0xc0) == 0x80)
			v->edit.len--;
		if (v->edit.len)
			v->edit.len--;
		break;
	default:
		/* Bytes as typed (UTF-8 included), no control or function key. */
		if (ch < 0x20 || ch == 0x7f || ch > 0xff || v->edit.len >= FILTER_MAX)
			return;
		snoop_buf_addc(&v->edit, (char)ch);
		break;
	}
	/* The rows follow the typing. */
	snoop_top_filter(v->t, snoop_buf_cstr(&v->edit));
	v->scroll = 0;
}

static void key(struct top_view *v, int ch)
{
	struct snoop_top *t = v->t;
	int page = LINES - 4 > 1 ? LINES - 4 : 1;

	if (v->editing) {
		edit_key(v, ch);
		return;
	}
	switch (ch) {
	case 'q':
	case 'Q':
		if (v->s)
			snoop_session_stop(v->s);
		break;
	case 's':
	case 'S':
		snoop_top_sort(t, (t->sort_col + (ch == 's' ? 1 : t->ncols - 1)) % t->ncols);
		v->scroll = 0;
		break;
	case 'p':
	case 'P':
		snoop_top_pause(t, !snoop_top_paused(t));
		break;
	case 'r':
	case 'R':
		snoop_top_reset(t);
		v->scroll = 0;
		break;
	case '/':
		v->editing = true;
		snoop_buf_reset(&v->edit);
		if (t->filter)
			snoop_buf_adds(&v->edit, t->filter);
		break;
	case KEY_UP:
	case 'k':
		v->scroll -= v->scroll > 0;
		break;
	case KEY_DOWN:
	case 'j':
		v->scroll++; /* draw() clamps */
		break;
	case KEY_PPAGE:
		v->scroll = v->scroll > (size_t)page ? v->scroll - (size_t)page : 0;
		break;
	case KEY_NPAGE:
	case ' ':
		v->scroll += (size_t)page;
		break;
	case KEY_HOME:
		v->scroll = 0;
		break;
	case KEY_END:
		v->scroll = SIZE_MAX / 2;
		break;
	default:
		break; /* KEY_RESIZE and the rest: a redraw is all they need */
	}
}

static void on_stdin(struct snoop_session *s, int fd, void *ctx)
{
	struct top_view *v = ctx;
	struct pollfd p = { .fd = fd, .events = POLLIN };
	bool got = false;
	int ch;

	if (!v->curses)
		return;
	while ((ch = getch()) != ERR) {
		key(v, ch);
		got = true;
	}
	/* Readable with nothing to read: the terminal is gone. Without this
	 * the read loop would spin on a hung-up fd. */
	if (!got && poll(&p, 1, 0) == 1 && (p.revents & (POLLHUP | POLLERR | POLLNVAL))) {
		snoop_session_stop(s);
		return;
	}
	draw(v);
}

static void on_winch(struct snoop_session *s, int fd, void *ctx)
{
	struct top_view *v = ctx;
	struct signalfd_siginfo si;
	struct winsize ws;

	(void)s;
	while (read(fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
	}
	if (v->curses && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row && ws.ws_col) {
		resizeterm(ws.ws_row, ws.ws_col);
		draw(v);
	}
}

static void capture_stderr(struct top_view *v)
{
	v->err_fd = v->saved_err = -1;
	if (!isatty(STDERR_FILENO))
		return; /* a file or pipe: nothing to spoil there */
	v->err_fd = memfd_create("snoop-top-stderr", MFD_CLOEXEC);
	v->saved_err = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3);
	if (v->err_fd < 0 || v->saved_err < 0 || dup2(v->err_fd, STDERR_FILENO) < 0) {
		if (v->err_fd >= 0)
			close(v->err_fd);
		if (v->saved_err >= 0)
			close(v->saved_err);
		v->err_fd = v->saved_err = -1;
	}
}

static void replay_stderr(struct top_view *v)
{
	char buf[4096];
	off_t size, off;
	ssize_t n;

	if (v->saved_err < 0)
		return;
	dup2(v->saved_err, STDERR_FILENO);
	close(v->saved_err);
	v->saved_err = -1;
	size = lseek(v->err_fd, 0, SEEK_END);
	off = size > ERR_REPLAY_MAX ? size - ERR_REPLAY_MAX : 0;
	if (off > 0) {
		static const char cut[] = "(earlier messages cut)\n";

		if (write(STDERR_FILENO, cut, sizeof(cut) - 1) < 0) {
		}
	}
	while ((n = pread(v->err_fd, buf, sizeof(buf), off)) > 0) {
		if (write(STDERR_FILENO, buf, (size_t)n) < 0)
			break;
		off += n;
	}
	close(v->err_fd);
	v->err_fd = -1;
}

static bool start_curses(struct top_view *v)
{
	sigset_t winch;
	const char *term = getenv("TERM");

	if (!term || !*term || !strcmp(term, "dumb"))
		return false;
	/* ncursesw draws UTF-8 only under a UTF-8 LC_CTYPE. */
	setlocale(LC_CTYPE, "");
	v->utf8 = !strcmp(nl_langinfo(CODESET), "UTF-8");

	sigemptyset(&winch);
	sigaddset(&winch, SIGWINCH);
	if (sigprocmask(SIG_BLOCK, &winch, &v->oldmask) == 0)
		v->masked = true;
	v->sigfd = signalfd(-1, &winch, SFD_NONBLOCK | SFD_CLOEXEC);

	v->scr = newterm(NULL, stdout, stdin);
	if (!v->scr) {
		if (v->sigfd >= 0)
			close(v->sigfd);
		v->sigfd = -1;
		if (v->masked)
			sigprocmask(SIG_SETMASK, &v->oldmask, NULL);
		v->masked = false;
		return false;
	}
	set_term(v->scr);
	cbreak(); /* ^C still ends the session through SIGINT */
	noecho();
	nonl();
	intrflush(stdscr, FALSE);
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	set_escdelay(50);
	curs_set(0);
	v->curses = true;
	capture_stderr(v);
	return true;
}

/* Give the terminal back: every exit path comes here once (the session's
 * close hook or snoop_top_free, whichever is first). */
static void view_end(struct top_view *v)
{
	if (!v->curses)
		return;
	v->curses = false;
	endwin();
	delscreen(v->scr);
	v->scr = NULL;
	if (v->sigfd >= 0)
		close(v->sigfd);
	v->sigfd = -1;
	if (v->masked)
		sigprocmask(SIG_SETMASK, &v->oldmask, NULL);
	v->masked = false;
	replay_stderr(v);
}

/* ---- text ----------------------------------------------------------------- */

static void print_text(struct top_view *v, struct snoop_buf *b)
{
	char tbuf[32];
	time_t now = time(NULL);
	struct tm tm;

	localtime_r(&now, &tm);
	strftime(tbuf, sizeof(tbuf), "%H:%M:%S", &tm);
	snoop_buf_printf(b, "%s ", tbuf);
	snoop_buf_add(b, v->title.data, v->title.len);
	snoop_buf_adds(b, ": ");
	put_stats(v, b);
	if (v->t->paused_events)
		snoop_buf_printf(b, ", not counted %llu", (unsigned long long)v->t->paused_events);
	snoop_buf_addc(b, '\n');
	snoop_top_render_text(v->t, b);
	snoop_buf_addc(b, '\n');
}

/* ---- the session's side --------------------------------------------------- */

static void on_tick(struct snoop_session *s, bool final, void *ctx)
{
	struct top_view *v = ctx;
	uint64_t now = now_ns();
	double dt = (double)(now - v->last_ns) / 1e9;

	if (v->t->feed)
		v->t->feed(v->t, v->t->feed_ctx);
	if (v->t->failed) {
		snoop_session_fail(s, "out of memory: the --top table cannot grow");
		return;
	}
	/* The final tick can come right after a normal one: a rate over a
	 * few milliseconds says nothing, keep the last. */
	if (dt >= v->interval / 4) {
		v->rate = (double)(v->t->total_events - v->last_events) / dt;
		v->last_ns = now;
		v->last_events = v->t->total_events;
	}
	if (v->curses) {
		if (!final)
			draw(v);
	} else {
		struct snoop_buf *out = snoop_session_out(s);
		size_t mark = out->len;

		print_text(v, out);
		if (v->t->failed) {
			out->len = mark; /* not a table with a cut cell */
			snoop_session_fail(s, "out of memory: the --top table cannot grow");
		}
	}
}

void snoop_top_on_feed(struct snoop_top *t, snoop_top_feed_fn fn, void *ctx)
{
	t->feed = fn;
	t->feed_ctx = ctx;
}

static void on_close(struct snoop_session *s, void *ctx)
{
	struct top_view *v = ctx;

	(void)s;
	view_end(v);
	v->s = NULL;
}

int snoop_top_attach(struct snoop_top *t, struct snoop_session *s, const struct snoop_top_opts *o,
		     int argc, char **argv)
{
	struct top_view *v;

	if (t->view_state) {
		snoop_err(s, "the --top table is already attached");
		return -1;
	}
	v = calloc(1, sizeof(*v));
	if (!v) {
		snoop_err(s, "out of memory");
		return -1;
	}
	v->t = t;
	v->s = s;
	v->sigfd = v->err_fd = v->saved_err = -1;
	v->interval = snoop_top_interval(o);
	snoop_buf_init(&v->title);
	snoop_buf_init(&v->edit);
	snoop_buf_init(&v->line);
	snoop_buf_init(&v->cell);
	t->view_state = v;

	/* The header names the tool and its filters: its command line, each
	 * word escaped (the user typed it, but it may hold anything). */
	if (argc > 0 && argv && argv[0]) {
		const char *base = strrchr(argv[0], '/');

		base = base ? base + 1 : argv[0];
		snoop_escape_text(&v->title, base, strlen(base));
		for (int i = 1; i < argc; i++) {
			snoop_buf_addc(&v->title, ' ');
			snoop_escape_text(&v->title, argv[i], strlen(argv[i]));
		}
	} else {
		snoop_buf_adds(&v->title, snoop_session_tool(s));
		snoop_buf_adds(&v->title, " --top");
	}
	v->start_ns = v->last_ns = now_ns();

	snoop_session_on_tick(s, v->interval, on_tick, v);
	snoop_session_on_close(s, on_close, v);
	if (isatty(STDOUT_FILENO)) {
		if (!start_curses(v))
			snoop_warn(s, "cannot drive this terminal (TERM=%s): printing the table as text",
				   getenv("TERM") ? getenv("TERM") : "");
	}
	if (v->curses) {
		if (isatty(STDIN_FILENO) && snoop_session_watch_fd(s, STDIN_FILENO, on_stdin, v) < 0)
			return -1;
		if (v->sigfd >= 0 && snoop_session_watch_fd(s, v->sigfd, on_winch, v) < 0)
			return -1;
		draw(v);
	}
	return 0;
}

void snoop_top_free(struct snoop_top *t)
{
	struct top_view *v;

	if (!t)
		return;
	v = t->view_state;
	if (v) {
		if (v->s)
			snoop_session_on_close(v->s, NULL, NULL);
		view_end(v);
		snoop_buf_free(&v->title);
		snoop_buf_free(&v->edit);
		snoop_buf_free(&v->line);
		snoop_buf_free(&v->cell);
		free(v);
	}
	snoop_top_table_free(t);
}
