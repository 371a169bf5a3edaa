/*
 * tests/user/tty.c - the console as a terminal: termios, the line
 * discipline, and job control's keys.
 *
 * Bytes are typed with ioctl(TIOCSTI), which pushes a byte into the
 * terminal's input as if it came from the keyboard, so the tests see what
 * a person at the console would: a canonical read returns one edited
 * line, a raw read what is there; Ctrl-C reaches the foreground process
 * group and no other; Ctrl-Z stops it; a background group that reads is
 * stopped with SIGTTIN.  Echo is turned off while a test types.  Every
 * test needs standard input to be the controlling terminal and skips
 * without one (init gives the programs one on Linux too: the serial
 * line, in a session of its own).
 */
#define _GNU_SOURCE
#include "utest.h"

#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

static struct termios saved;
static pid_t saved_pgrp;

/*
 * Skip without a controlling terminal; else take the foreground (the
 * runner puts each test in a group of its own, in the background, where
 * a read would stop it with SIGTTIN), echo off, input flushed.
 */
static void
tty_begin(void)
{
	struct termios t;

	if (!isatty(0) || (saved_pgrp = tcgetpgrp(0)) < 0)
		UT_SKIP("standard input is not a controlling terminal");
	signal(SIGTTOU, SIG_IGN);
	UT_SYS(tcsetpgrp(0, getpgrp()));
	UT_SYS(tcgetattr(0, &saved));
	t = saved;
	t.c_lflag &= ~(tcflag_t)ECHO;
	UT_SYS(tcsetattr(0, TCSAFLUSH, &t));
}

static void
tty_end(void)
{
	UT_SYS(tcsetattr(0, TCSAFLUSH, &saved));
	UT_SYS(tcsetpgrp(0, saved_pgrp));
}

static void
type(const char *s)
{
	for (; *s != '\0'; s++)
		UT_SYS(ioctl(0, TIOCSTI, s));
}

UTEST(a_terminal_starts_canonical_with_echo_and_signal_keys)
{
	struct termios t;

	tty_begin();
	UT_ASSERT(saved.c_lflag & ICANON);
	UT_ASSERT(saved.c_lflag & ECHO);
	UT_ASSERT(saved.c_lflag & ISIG);
	UT_EQ(saved.c_cc[VINTR], 3);
	UT_EQ(saved.c_cc[VSUSP], 0x1a);
	UT_SYS(tcgetattr(0, &t));
	UT_EQ(t.c_lflag & ECHO, 0);             /* what tty_begin set */
	tty_end();
}

UTEST(a_canonical_read_returns_one_edited_line)
{
	char buf[64];

	tty_begin();
	type("ab\x7f" "c\nnext\n");
	UT_EQ(read(0, buf, sizeof(buf)), 3);
	UT_ASSERT(memcmp(buf, "ac\n", 3) == 0);
	UT_EQ(read(0, buf, 2), 2);              /* part of the next line */
	UT_EQ(read(0, buf, sizeof(buf)), 3);    /* and the rest of it */
	UT_ASSERT(memcmp(buf, "xt\n", 3) == 0);
	type("\x04");                           /* EOF on an empty line */
	UT_EQ(read(0, buf, sizeof(buf)), 0);
	tty_end();
}

UTEST(a_raw_read_returns_what_is_there)
{
	struct termios t;
	char buf[8];

	tty_begin();
	t = saved;
	t.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	UT_SYS(tcsetattr(0, TCSANOW, &t));
	type("xy");
	UT_EQ(read(0, buf, sizeof(buf)), 2);
	UT_ASSERT(memcmp(buf, "xy", 2) == 0);
	tty_end();
}

/* A child in a group of its own, made the foreground; it waits. */
static pid_t
foreground_child(void)
{
	pid_t pid = (pid_t)UT_SYS(fork());

	if (pid == 0) {
		for (;;)
			pause();
	}
	UT_SYS(setpgid(pid, pid));
	UT_SYS(tcsetpgrp(0, pid));              /* SIGTTOU ignored: tty_begin */
	return pid;
}

UTEST(ctrl_c_reaches_only_the_foreground_group)
{
	pid_t me = getpgrp();

	tty_begin();
	pid_t pid = foreground_child();
	ut_count_signal(SIGINT);                /* here only: not inherited */
	type("\x03");
	UT_CHILD_KILLED(pid, SIGINT);
	UT_EQ(ut_signals, 0);                   /* the background was not hit */
	UT_SYS(tcsetpgrp(0, me));
	type("\x03");                           /* now we are the foreground */
	UT_EQ(ut_signals, 1);
	tty_end();
}

UTEST(ctrl_z_stops_the_foreground_group)
{
	int st;

	tty_begin();
	pid_t pid = foreground_child();
	type("\x1a");
	UT_EQ(waitpid(pid, &st, WUNTRACED), pid);
	UT_ASSERT(WIFSTOPPED(st) && WSTOPSIG(st) == SIGTSTP);
	UT_SYS(tcsetpgrp(0, getpgrp()));
	UT_SYS(kill(pid, SIGKILL));
	UT_CHILD_KILLED(pid, SIGKILL);
	tty_end();
}

UTEST(a_background_reader_is_stopped_with_sigttin)
{
	int st;

	tty_begin();
	pid_t pid = (pid_t)UT_SYS(fork());
	if (pid == 0) {
		char c;
		setpgid(0, 0);
		(void)read(0, &c, 1);
		_exit(0);
	}
	UT_EQ(waitpid(pid, &st, WUNTRACED), pid);
	UT_ASSERT(WIFSTOPPED(st) && WSTOPSIG(st) == SIGTTIN);
	UT_SYS(kill(pid, SIGKILL));
	UT_CHILD_KILLED(pid, SIGKILL);
	tty_end();
}
