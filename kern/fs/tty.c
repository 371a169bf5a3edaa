/*
 * kern/fs/tty.c - the console as a terminal: a line discipline, a
 * foreground process group, and the keys that signal it.
 *
 * Bytes typed on the serial console arrive by the UART's receive
 * interrupt (IRQ 4; or, with no I/O APIC, by the reader polling) and go
 * through tty_input, which does what a terminal does before any program
 * reads them:
 *
 *   typed:  l s Backspace s Enter        Ctrl-C
 *   buf:    "l" "ls" "l" "ls" "ls\n"     SIGINT to the foreground group
 *           `-- the line being edited --' `-- done: a reader may take it
 *
 * In canonical mode (ICANON, the default) a read returns one whole line:
 * Erase and Kill edit the line still being typed, Enter or EOF (Ctrl-D)
 * finishes it, and EOF on an empty line reads as end of file.  In raw mode
 * (a program cleared ICANON with tcsetattr) a read returns what is there,
 * at least one byte (VMIN 0: possibly none).  With ISIG, Ctrl-C, Ctrl-\
 * and Ctrl-Z send SIGINT, SIGQUIT and SIGTSTP to the foreground process
 * group; with ECHO typed bytes are echoed.
 *
 * Job control: the console is the controlling terminal of one session
 * (the tree proc_run started last, or one that asked with TIOCSCTTY); its
 * foreground group (tcsetpgrp) reads, and a background group of that
 * session that reads gets SIGTTIN instead (EIO when it ignores or blocks
 * it), and one that calls tcsetpgrp gets SIGTTOU, as Linux.  Writes are
 * not stopped (TOSTOP is off).  TIOCSTI pushes a byte in as if typed:
 * that is how a test types Ctrl-C.
 *
 * Invariants: done <= n <= TTY_BUF; buf[0, done) holds only finished
 * lines (canonical mode); a reader sleeps only while there is nothing it
 * may take.  Every change that makes a read possible (a finished line,
 * a raw byte, a switch to raw mode) wakes both the readers (TTY_CHAN) and
 * the threads in poll or select (poll_wakeup, kern/sys/sys_poll.c), so
 * `poll(stdin)` in a shell's line editor returns at the first key.
 * Lock order: tty_lock, a spin lock (taken in the interrupt), comes
 * before only poll_wakeup's own leaf lock: signals are sent after it is
 * dropped (proc_lock after).
 */
#include "kern/fs/tty.h"
#include "kern/fs/file.h"
#include "kern/arch/uaccess.h"
#include "kern/core/console.h"
#include "kern/core/sched.h"
#include "kern/lib/errno.h"
#include "kern/lib/spinlock.h"
#include "kern/lib/string.h"
#include "kern/proc/proc.h"
#include "kern/proc/signal.h"
#include "dev/ioapic.h"
#include "kern/core/clock.h"

#define TTY_BUF 1024
#define COM1_IRQ 4

/* c_lflag, c_iflag, c_oflag, c_cflag bits and c_cc slots (Linux's). */
#define ISIG 0x1
#define ICANON 0x2
#define ECHO 0x8
#define ECHOE 0x10
#define ECHOK 0x20
#define NOFLSH 0x80
#define ECHOCTL 0x200
#define ECHOKE 0x800
#define IEXTEN 0x8000
#define ICRNL 0x100
#define IXON 0x400
#define OPOST 0x1
#define ONLCR 0x4
#define CFLAG_DEFAULT 0xbf      /* B38400 | CS8 | CREAD */
enum { VINTR, VQUIT, VERASE, VKILL, VEOF, VTIME, VMIN, VSWTC, VSTART,
	VSTOP, VSUSP, VEOL };

/* ioctl requests */
#define TCGETS 0x5401
#define TCSETS 0x5402
#define TCSETSW 0x5403
#define TCSETSF 0x5404
#define TCFLSH 0x540b
#define TIOCSCTTY 0x540e
#define TIOCGPGRP 0x540f
#define TIOCSPGRP 0x5410
#define TIOCSTI 0x5412
#define TIOCGWINSZ 0x5413
#define TIOCNOTTY 0x5422
#define TIOCGSID 0x5429

static struct {
	struct spinlock lock;
	struct k_termios t;
	int sid;                /* the session it controls, 0: none */
	int pgrp;               /* its foreground process group */
	char buf[TTY_BUF];
	size_t n;               /* bytes in buf */
	size_t done;            /* buf[0, done): finished lines */
	int eofs;               /* EOFs typed on an empty line, not yet read */
} tty = { .lock = SPINLOCK_INIT("tty") };

/* The tty's one channel: readers sleep on it, input wakes it. */
#define TTY_CHAN ((const void *)&tty)

void
tty_init(void)
{
	struct k_termios *t = &tty.t;

	memset(t, 0, sizeof(*t));
	t->c_iflag = ICRNL | IXON;
	t->c_oflag = OPOST | ONLCR;
	t->c_cflag = CFLAG_DEFAULT;
	t->c_lflag = ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE | IEXTEN;
	t->c_cc[VINTR] = 3;
	t->c_cc[VQUIT] = 0x1c;
	t->c_cc[VERASE] = 0x7f;
	t->c_cc[VKILL] = 0x15;
	t->c_cc[VEOF] = 4;
	t->c_cc[VMIN] = 1;
	t->c_cc[VSUSP] = 0x1a;
}

void
tty_set_session(int sid, int pgrp)
{
	spin_lock(&tty.lock);
	tty.sid = sid;
	tty.pgrp = pgrp;
	spin_unlock(&tty.lock);
}

void
tty_session_get(int *sid, int *pgrp)
{
	spin_lock(&tty.lock);
	*sid = tty.sid;
	*pgrp = tty.pgrp;
	spin_unlock(&tty.lock);
}

/* ------------------------------------------------------------------ */
/* Input: the line discipline                                          */

static void
echo_char(int c)
{
	if ((tty.t.c_lflag & ECHOCTL) && c < 0x20 && c != '\n' && c != '\t') {
		console_putc('^');
		console_putc(c + '@');
	} else {
		console_putc(c);
	}
}

/* Erase one byte of the line being edited.  => tty.lock held. */
static void
erase_one(void)
{
	if (tty.n == tty.done)
		return;
	tty.n--;
	if ((tty.t.c_lflag & (ECHO | ECHOE)) == (ECHO | ECHOE))
		console_write("\b \b", 3);
}

/* Finish the line being edited (Enter, EOF).  => tty.lock held. */
static void
finish_line(bool eof)
{
	if (eof && tty.n == tty.done)
		tty.eofs++;
	tty.done = tty.n;
	wakeup(TTY_CHAN);
	poll_wakeup();
}

/* The signal key c means, 0 if none.  => tty.lock held. */
static int
key_signal(int c)
{
	if (!(tty.t.c_lflag & ISIG) || c == 0)
		return 0;
	if (c == tty.t.c_cc[VINTR])
		return SIGINT;
	if (c == tty.t.c_cc[VQUIT])
		return SIGQUIT;
	if (c == tty.t.c_cc[VSUSP])
		return SIGTSTP;
	return 0;
}

/* Canonical editing of one byte.  => tty.lock held. */
static void
canon_input(int c)
{
	if (c == tty.t.c_cc[VERASE] || c == '\b') {
		erase_one();
		return;
	}
	if (c == tty.t.c_cc[VKILL]) {
		while (tty.n > tty.done)
			erase_one();
		return;
	}
	if (c == tty.t.c_cc[VEOF]) {
		finish_line(true);
		return;
	}
	if (tty.n < TTY_BUF - 1 || c == '\n')
		tty.buf[tty.n++] = (char)c;
	if (tty.t.c_lflag & ECHO)
		echo_char(c);
	if (c == '\n' || c == tty.t.c_cc[VEOL] || tty.n == TTY_BUF)
		finish_line(false);
}

/* What a signal key does besides the signal: flush, echo.  => tty.lock. */
static void
signal_key(int c)
{
	if (!(tty.t.c_lflag & NOFLSH))
		tty.n = tty.done = 0;
	if (tty.t.c_lflag & ECHO) {
		echo_char(c);
		console_putc('\n');
	}
}

void
tty_input(int c)
{
	int sig, pgrp;

	spin_lock(&tty.lock);
	if (c == '\r' && (tty.t.c_iflag & ICRNL))
		c = '\n';
	pgrp = tty.pgrp;
	if ((sig = key_signal(c)) != 0) {
		signal_key(c);
	} else if (tty.t.c_lflag & ICANON) {
		canon_input(c);
	} else if (tty.n < TTY_BUF) {
		tty.buf[tty.n++] = (char)c;
		tty.done = tty.n;
		if (tty.t.c_lflag & ECHO)
			echo_char(c);
		wakeup(TTY_CHAN);
		poll_wakeup();
	}
	spin_unlock(&tty.lock);
	if (sig != 0 && pgrp > 0)
		(void)proc_kill(NULL, -pgrp, sig);
}

/* Feed every byte the UART holds to the line discipline. */
static void
tty_drain_uart(void)
{
	int c;

	while ((c = console_getc()) >= 0)
		tty_input(c);
}

void
tty_intr(void *arg)
{
	(void)arg;
	tty_drain_uart();
}

/* ------------------------------------------------------------------ */
/* Reading                                                             */

/*
 * How many bytes a reader may take now, up to len: one finished line (or
 * what fits of it) in canonical mode, whatever is there in raw mode.
 *  => tty.lock held; 0 with *eof set for an end of file, which this call
 *     consumes (the read that asked returns 0 for it).
 */
static size_t
readable_take_eof(size_t len, bool *eof)
{
	size_t k = 0;

	*eof = false;
	if (!(tty.t.c_lflag & ICANON))
		return MIN(len, tty.n);
	while (k < tty.done && k < len && (k == 0 || tty.buf[k - 1] != '\n'))
		k++;
	if (k == 0 && tty.done == 0 && tty.eofs > 0) {
		tty.eofs--;
		*eof = true;
	}
	return k;
}

/* Take k bytes off the front into out.  => tty.lock held. */
static void
take(char *out, size_t k)
{
	memcpy(out, tty.buf, k);
	memmove(tty.buf, tty.buf + k, tty.n - k);
	tty.n -= k;
	tty.done = k <= tty.done ? tty.done - k : 0;
}

/*
 * A reader in a background group of the terminal's session gets SIGTTIN
 * (and reads nothing); one that ignores or blocks it gets -EIO.
 *  => 0 (may read), -ERESTARTSYS, -EIO.
 */
static int
background_check(int ttou_or_ttin)
{
	struct proc *p = curproc;
	int sid, pgrp;

	spin_lock(&tty.lock);
	sid = tty.sid;
	pgrp = tty.pgrp;
	spin_unlock(&tty.lock);
	if (p == NULL || p->sid != sid || pgrp <= 0 || p->pgid == pgrp)
		return 0;
	if (p->sig.act[ttou_or_ttin].handler == SIG_IGN ||
	    (curlwp->l_sigmask & SIGBIT(ttou_or_ttin)))
		return ttou_or_ttin == SIGTTIN ? -EIO : 0;
	(void)proc_kill(p, -p->pgid, ttou_or_ttin);
	return -ERESTARTSYS;
}

static bool tty_polled = true;     /* no receive interrupt (yet) */

int64_t
tty_read(uint64_t ubuf, size_t len)
{
	char out[TTY_BUF];
	size_t k;
	bool eof;
	int error = background_check(SIGTTIN);

	if (error != 0)
		return error;
	len = MIN(len, sizeof(out));
	spin_lock(&tty.lock);
	for (;;) {
		k = readable_take_eof(len, &eof);
		if (k > 0 || eof || len == 0 ||
		    (!(tty.t.c_lflag & ICANON) && tty.t.c_cc[VMIN] == 0))
			break;
		if (curproc != NULL && signal_actionable(curproc)) {
			spin_unlock(&tty.lock);
			return -ERESTARTSYS;
		}
		if (tty_polled) {
			spin_unlock(&tty.lock);
			tty_drain_uart();
			spin_lock(&tty.lock);
			if (tty.done > 0 || tty.eofs > 0 || (tty.n > 0 &&
			    !(tty.t.c_lflag & ICANON)))
				continue;
		}
		sleep_on_intr(tty_polled ? CLOCK_TICK_CHAN : TTY_CHAN, &tty.lock, "ttyin");
	}
	take(out, k);
	spin_unlock(&tty.lock);
	return copyout(out, ubuf, k) == 0 ? (int64_t)k : -EFAULT;
}

/*
 * Would a read take something now?  Canonical: a finished line or an end
 * of file; raw: VMIN bytes (one if VMIN is 0 or VTIME is set), as Linux
 * counts for poll.  => tty.lock held.
 */
static bool
input_available(void)
{
	size_t want = 1;

	if (tty.t.c_lflag & ICANON)
		return tty.done > 0 || tty.eofs > 0;
	if (tty.t.c_cc[VTIME] == 0 && tty.t.c_cc[VMIN] > 0)
		want = tty.t.c_cc[VMIN];
	return tty.n >= want;
}

uint32_t
tty_poll(struct file *f)
{
	uint32_t mask = POLLOUT | POLLWRNORM;   /* the UART never refuses */

	(void)f;
	if (tty_polled) {
		tty_drain_uart();
		mask |= POLL_TICK;
	}
	spin_lock(&tty.lock);
	if (input_available())
		mask |= POLLIN | POLLRDNORM;
	spin_unlock(&tty.lock);
	return mask;
}

void
tty_attach(void)
{
	int flags, gsi;

	if (!ioapic_present() || (gsi = ioapic_irq_route(COM1_IRQ, false, &flags)) < 0 ||
	    ioapic_establish(gsi, flags, tty_intr, NULL) < 0) {
		kprintf("tty: console input polled (no I/O APIC line for IRQ %d)\n", COM1_IRQ);
		return;
	}
	tty_polled = false;
	console_rx_interrupts(true);
}

/* ------------------------------------------------------------------ */
/* ioctl                                                               */

/* Does the caller's session own the terminal?  => nothing locked. */
static bool
is_ctty(void)
{
	return curproc != NULL && curproc->sid == tty.sid && tty.sid != 0;
}

/* tcsetpgrp: a group of the terminal's session becomes the foreground. */
static int
set_pgrp(uint64_t uarg)
{
	int pgrp, error;

	if (!is_ctty())
		return -ENOTTY;
	if (copyin(uarg, &pgrp, sizeof(pgrp)) != 0)
		return -EFAULT;
	if (pgrp <= 0)
		return -EINVAL;
	if (!proc_group_in_session(pgrp, curproc->sid))
		return -EPERM;
	if ((error = background_check(SIGTTOU)) != 0)
		return error;
	spin_lock(&tty.lock);
	tty.pgrp = pgrp;
	spin_unlock(&tty.lock);
	return 0;
}

/* TCSETS*: new settings; TCSETSF also drops unread input. */
static int
set_termios(uint64_t req, uint64_t uarg)
{
	struct k_termios t;

	if (copyin(uarg, &t, sizeof(t)) != 0)
		return -EFAULT;
	spin_lock(&tty.lock);
	bool was_canon = tty.t.c_lflag & ICANON;
	tty.t = t;
	if (req == TCSETSF)
		tty.n = tty.done = 0;
	else if (was_canon && !(t.c_lflag & ICANON))
		tty.done = tty.n;       /* a half-typed line is readable raw */
	wakeup(TTY_CHAN);
	poll_wakeup();
	spin_unlock(&tty.lock);
	return 0;
}

/* TIOCSCTTY: a session leader with no terminal takes this one. */
static int
set_ctty(uint64_t steal)
{
	struct proc *p = curproc;

	if (p == NULL || p->sid != p->pid)
		return -EPERM;
	spin_lock(&tty.lock);
	int error = tty.sid != 0 && tty.sid != p->sid && steal == 0 ? -EPERM : 0;
	if (error == 0) {
		tty.sid = p->sid;
		tty.pgrp = p->pgid;
	}
	spin_unlock(&tty.lock);
	return error;
}

static int64_t
put_int(uint64_t uarg, int v)
{
	return copyout(&v, uarg, sizeof(v)) == 0 ? 0 : -EFAULT;
}

int64_t
tty_ioctl(uint64_t req, uint64_t uarg)
{
	struct { uint16_t rows, cols, xpixel, ypixel; } ws = { 24, 80, 0, 0 };
	uint8_t c;

	switch (req) {
	case TCGETS:
		return copyout(&tty.t, uarg, sizeof(tty.t)) == 0 ? 0 : -EFAULT;
	case TCSETS:
	case TCSETSW:
	case TCSETSF:
		return set_termios(req, uarg);
	case TIOCGWINSZ:
		return copyout(&ws, uarg, sizeof(ws)) == 0 ? 0 : -EFAULT;
	case TIOCGPGRP:
		return is_ctty() ? put_int(uarg, tty.pgrp) : -ENOTTY;
	case TIOCSPGRP:
		return set_pgrp(uarg);
	case TIOCGSID:
		return is_ctty() ? put_int(uarg, tty.sid) : -ENOTTY;
	case TIOCSCTTY:
		return set_ctty(uarg);
	case TIOCNOTTY:
		if (!is_ctty())
			return -ENOTTY;
		if (curproc->sid == curproc->pid)
			tty_set_session(0, 0);
		return 0;
	case TCFLSH:
		if (uarg > 2)
			return -EINVAL;
		spin_lock(&tty.lock);
		if (uarg != 1)              /* TCIFLUSH, TCIOFLUSH: drop input */
			tty.n = tty.done = tty.eofs = 0;
		spin_unlock(&tty.lock);
		return 0;
	case TIOCSTI:
		if (copyin(uarg, &c, 1) != 0)
			return -EFAULT;
		tty_input(c);
		return 0;
	default:
		return -ENOTTY;
	}
}
