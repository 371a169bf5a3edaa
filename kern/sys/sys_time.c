/*
 * kern/sys/sys_time.c - time, identity and limits: clock_gettime,
 * gettimeofday, time, nanosleep, clock_nanosleep, sched_yield, the ids,
 * getrandom, getrlimit/prlimit64, getrusage (sysinfo is in sys_system.c,
 * with the machine's other figures).
 *
 * Monotonic time comes from the TSC (clock_ns).  There is no battery
 * clock driver yet, so wall-clock time starts at a fixed moment (the
 * start of 2026) at boot and advances with the monotonic clock.
 * Sleeping waits on the clock tick (HZ a second): each tick wakes the
 * sleepers, who check whether their time has come; a signal ends the
 * sleep early (it is interruptible), with -EINTR and the time left.
 */
#include "kern/core/clock.h"
#include "kern/arch/cpu.h"
#include "kern/lib/errno.h"
#include "kern/lib/rand.h"
#include "kern/lib/string.h"
#include "kern/proc/proc.h"
#include "kern/core/sched.h"
#include "kern/sys/syscall.h"
#include "kern/arch/uaccess.h"
#include "uvm/uvm_page.h"
#include "uvm/uvm_swap.h"

#define EPOCH_AT_BOOT 1767225600ULL     /* 2026-01-01T00:00:00Z */
#define NSEC 1000000000ULL

struct k_timespec {
	int64_t sec;
	int64_t nsec;
};

static void
ns_to_ts(uint64_t ns, struct k_timespec *ts)
{
	ts->sec = (int64_t)(ns / NSEC);
	ts->nsec = (int64_t)(ns % NSEC);
}

/* The time of clock id, in nanoseconds.  => 0 or -EINVAL. */
static int
clock_now(uint64_t id, uint64_t *ns)
{
	switch (id) {
	case 0: /* CLOCK_REALTIME */
	case 8: /* CLOCK_REALTIME_ALARM */
	case 11: /* CLOCK_TAI */
		*ns = EPOCH_AT_BOOT * NSEC + clock_ns();
		return 0;
	case 1: /* CLOCK_MONOTONIC */
	case 4: /* CLOCK_MONOTONIC_RAW */
	case 7: /* CLOCK_BOOTTIME */
	case 2: /* CLOCK_PROCESS_CPUTIME_ID: approximated by elapsed time */
	case 3: /* CLOCK_THREAD_CPUTIME_ID */
		*ns = clock_ns();
		return 0;
	default:
		return -EINVAL;
	}
}

int64_t
sys_clock_gettime(const struct sysargs *a)
{
	struct k_timespec ts;
	uint64_t ns;
	int error = clock_now(a->a[0], &ns);

	if (error != 0)
		return error;
	ns_to_ts(ns, &ts);
	return copyout(&ts, a->a[1], sizeof(ts));
}

int64_t
sys_clock_getres(const struct sysargs *a)
{
	struct k_timespec ts = { 0, 1 };
	uint64_t ns;

	if (clock_now(a->a[0], &ns) != 0)
		return -EINVAL;
	return a->a[1] == 0 ? 0 : copyout(&ts, a->a[1], sizeof(ts));
}

int64_t
sys_gettimeofday(const struct sysargs *a)
{
	uint64_t ns = EPOCH_AT_BOOT * NSEC + clock_ns();
	int64_t tv[2] = { (int64_t)(ns / NSEC), (int64_t)(ns % NSEC / 1000) };

	if (a->a[0] != 0 && copyout(tv, a->a[0], sizeof(tv)) != 0)
		return -EFAULT;
	return 0;
}

int64_t
sys_time(const struct sysargs *a)
{
	int64_t t = (int64_t)(EPOCH_AT_BOOT + clock_ns() / NSEC);

	if (a->a[0] != 0 && copyout(&t, a->a[0], sizeof(t)) != 0)
		return -EFAULT;
	return t;
}

/*
 * Sleep until the monotonic clock reaches deadline; -ERESTARTNOHAND and
 * the time *left on a signal.  Each tick wakes the sleepers to look at the clock; a
 * signal ends the (interruptible) sleep at once, even one posted between
 * the test and the sleep (sleep_intr_pending, kern/core/sched.c); a tick
 * missed in that window costs one tick, the next wakes it again.
 */
static int
sleep_until(uint64_t deadline, uint64_t *left)
{
	uint64_t s = intr_disable(), now;

	while ((now = clock_ns()) < deadline && !signal_actionable(curproc))
		sleep_on_intr(CLOCK_TICK_CHAN, NULL, "nanosleep");
	intr_restore(s);
	if (now >= deadline)
		return 0;
	*left = deadline - now;
	return -ERESTARTNOHAND;     /* -EINTR if a handler runs */
}

static int64_t
do_nanosleep(uint64_t ureq, uint64_t urem, uint64_t base)
{
	struct k_timespec req, rem;
	uint64_t left = 0;

	if (copyin(ureq, &req, sizeof(req)) != 0)
		return -EFAULT;
	if (req.sec < 0 || req.nsec < 0 || req.nsec >= (int64_t)NSEC)
		return -EINVAL;
	int error = sleep_until(base + (uint64_t)req.sec * NSEC + (uint64_t)req.nsec, &left);
	if (error == -ERESTARTNOHAND && urem != 0) {
		ns_to_ts(left, &rem);
		if (copyout(&rem, urem, sizeof(rem)) != 0)
			return -EFAULT;
	}
	return error;
}

int64_t
sys_nanosleep(const struct sysargs *a)
{
	return do_nanosleep(a->a[0], a->a[1], clock_ns());
}

int64_t
sys_clock_nanosleep(const struct sysargs *a)
{
	uint64_t now;
	int error = clock_now(a->a[0], &now);

	if (error != 0)
		return error;
	if (a->a[1] & ~1UL)
		return -EINVAL;
	/* TIMER_ABSTIME: the request is a time on that clock, not a length. */
	uint64_t base = (a->a[1] & 1) ? clock_ns() - now : clock_ns();
	return do_nanosleep(a->a[2], (a->a[1] & 1) ? 0 : a->a[3], base);
}

int64_t
sys_sched_yield(const struct sysargs *a)
{
	(void)a;
	yield();
	return 0;
}

/* Everyone is root: uid, euid, gid, egid are all 0. */
int64_t
sys_getuid(const struct sysargs *a)
{
	(void)a;
	return 0;
}

int64_t
sys_getrandom(const struct sysargs *a)
{
	static struct krand r;
	uint8_t chunk[64];
	size_t len = a->a[1], done = 0;

	if (a->a[2] & ~7UL)
		return -EINVAL;
	if (r.state == 0)
		krand_seed(&r, rdtsc());
	while (done < len) {
		size_t n = MIN(len - done, sizeof(chunk));
		for (size_t i = 0; i < n; i += 8) {
			uint64_t v = krand_next(&r);
			memcpy(chunk + i, &v, MIN(8, n - i));
		}
		if (copyout(chunk, a->a[0] + done, n) != 0)
			return done > 0 ? (int64_t)done : -EFAULT;
		done += n;
	}
	return (int64_t)done;
}

#define RLIM_INFINITY (~0UL)
#define RLIMIT_STACK 3
#define RLIMIT_NOFILE 7
#define RLIMIT_MEMLOCK 8
#define RLIM_NLIMITS 16

static void
rlimit_of(uint64_t res, uint64_t lim[2])
{
	lim[0] = lim[1] = RLIM_INFINITY;
	if (res == RLIMIT_STACK)
		lim[0] = lim[1] = 8UL << 20;
	if (res == RLIMIT_NOFILE)
		lim[0] = lim[1] = NOFILE;
	if (res == RLIMIT_MEMLOCK)
		lim[0] = lim[1] = SYS_RLIMIT_MEMLOCK;
}

/*
 * May the caller set resource res to new?  Linux's rules: soft above hard
 * is -EINVAL; raising the hard limit needs CAP_SYS_RESOURCE (-EPERM).
 * The limits here are fixed, so any other change is -EPERM too; setting
 * them to what they are is 0.
 */
static int
rlimit_set_check(uint64_t res, const uint64_t new[2])
{
	uint64_t cur[2];

	rlimit_of(res, cur);
	if (new[0] > new[1])
		return -EINVAL;
	if (new[1] > cur[1] && !capable(CAP_SYS_RESOURCE))
		return -EPERM;
	if (new[0] != cur[0] || new[1] != cur[1])
		return -EPERM;      /* limits are fixed in this kernel */
	return 0;
}

int64_t
sys_prlimit64(const struct sysargs *a)
{
	uint64_t lim[2];
	int error;

	if (a->a[0] != 0 && (int64_t)a->a[0] != curproc->pid)
		return -ESRCH;
	if (a->a[1] >= RLIM_NLIMITS)
		return -EINVAL;
	if (a->a[2] != 0) {
		if (copyin(a->a[2], lim, sizeof(lim)) != 0)
			return -EFAULT;
		if ((error = rlimit_set_check(a->a[1], lim)) != 0)
			return error;
	}
	rlimit_of(a->a[1], lim);
	return a->a[3] == 0 ? 0 : copyout(lim, a->a[3], sizeof(lim));
}

int64_t
sys_getrlimit(const struct sysargs *a)
{
	uint64_t lim[2];

	if (a->a[0] >= RLIM_NLIMITS)
		return -EINVAL;
	rlimit_of(a->a[0], lim);
	return copyout(lim, a->a[1], sizeof(lim));
}

int64_t
sys_getrusage(const struct sysargs *a)
{
	uint8_t ru[144] = { 0 };

	if ((int64_t)a->a[0] != 0 && (int64_t)a->a[0] != -1 && (int64_t)a->a[0] != 1)
		return -EINVAL;
	return copyout(ru, a->a[1], sizeof(ru));
}

/*
 * setitimer / getitimer / alarm: ITIMER_REAL only, checked at every clock
 * tick (proc_clock_tick), so its resolution is 1/HZ; it sends SIGALRM.
 */
struct k_itimerval {
	int64_t it_interval[2];     /* sec, usec */
	int64_t it_value[2];
};

#define USEC 1000ULL

static uint64_t
tv_ns(const int64_t tv[2])
{
	return (uint64_t)tv[0] * NSEC + (uint64_t)tv[1] * USEC;
}

static void
ns_tv(uint64_t ns, int64_t tv[2])
{
	tv[0] = (int64_t)(ns / NSEC);
	tv[1] = (int64_t)(ns % NSEC / USEC);
}

/* An ITIMER_REAL pair (interval, deadline) as the user's itimerval. */
static void
itimer_out(uint64_t interval, uint64_t deadline, struct k_itimerval *it)
{
	uint64_t now = clock_ns();

	ns_tv(interval, it->it_interval);
	ns_tv(deadline > now ? deadline - now : 0, it->it_value);
}

static void
itimer_get(struct proc *p, struct k_itimerval *it)
{
	uint64_t interval, deadline;

	proc_itimer_get(p, &interval, &deadline);
	itimer_out(interval, deadline, it);
}

int64_t
sys_getitimer(const struct sysargs *a)
{
	struct k_itimerval it;

	if (a->a[0] > 2)
		return -EINVAL;
	memset(&it, 0, sizeof(it));
	if (a->a[0] == 0)
		itimer_get(curproc, &it);
	return copyout(&it, a->a[1], sizeof(it));
}

int64_t
sys_setitimer(const struct sysargs *a)
{
	struct proc *p = curproc;
	struct k_itimerval it, old;

	if (a->a[0] > 2)
		return -EINVAL;
	memset(&it, 0, sizeof(it));
	if (a->a[1] != 0 && copyin(a->a[1], &it, sizeof(it)) != 0)
		return -EFAULT;
	if (it.it_value[1] < 0 || it.it_value[1] >= 1000000 || it.it_value[0] < 0 ||
	    it.it_interval[1] < 0 || it.it_interval[1] >= 1000000 || it.it_interval[0] < 0)
		return -EINVAL;
	memset(&old, 0, sizeof(old));
	if (a->a[0] == 0) {         /* the CPU-time timers: accepted, never fire */
		uint64_t value = tv_ns(it.it_value), oi, od;
		proc_itimer_swap(p, tv_ns(it.it_interval),
		    value != 0 ? clock_ns() + value : 0, &oi, &od);
		itimer_out(oi, od, &old);
	}
	if (a->a[2] != 0 && copyout(&old, a->a[2], sizeof(old)) != 0)
		return -EFAULT;
	return 0;
}

int64_t
sys_alarm(const struct sysargs *a)
{
	struct proc *p = curproc;
	uint64_t now = clock_ns(), oi, od, left;

	proc_itimer_swap(p, 0, a->a[0] != 0 ? now + a->a[0] * NSEC : 0, &oi, &od);
	left = od > now ? od - now : 0;
	return (int64_t)((left + NSEC - 1) / NSEC);
}
