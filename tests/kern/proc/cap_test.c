/*
 * tests/kern/proc/cap_test.c - the capability rules of kern/proc/cap.c,
 * on sets alone (no process): capset's subset rules, execve's rule for
 * root, and that a kernel thread holds everything.  tests/user/caps.c
 * checks the same through the system calls, on Linux too.
 */
#include "kern/core/ktest.h"
#include "kern/lib/errno.h"
#include "kern/proc/cap.h"

#define B(c) CAP_BIT(c)

KTEST(cap, root_starts_with_every_capability)
{
	struct cap_sets c = { 1, 2, 3 };

	cap_root(&c);
	KT_EQ(c.effective, CAP_ALL);
	KT_EQ(c.permitted, CAP_ALL);
	KT_EQ(c.inheritable, 0);
	KT_EQ(CAP_ALL >> CAP_LAST_CAP, 1);      /* 41 capabilities, 0-40 */
}

KTEST(cap, permitted_only_shrinks_and_bounds_effective)
{
	struct cap_sets old = { B(CAP_CHOWN), B(CAP_CHOWN) | B(CAP_KILL), 0 };
	struct cap_sets new = old;

	KT_EQ(cap_set_check(&old, &new), 0);            /* no change */
	new.permitted |= B(CAP_SYS_ADMIN);
	KT_EQ(cap_set_check(&old, &new), -EPERM);       /* P' beyond P */
	new = old;
	new.effective = B(CAP_KILL);
	KT_EQ(cap_set_check(&old, &new), 0);            /* E' from P */
	new.permitted = B(CAP_CHOWN);
	KT_EQ(cap_set_check(&old, &new), -EPERM);       /* E' beyond P' */
	new = (struct cap_sets){ 0, 0, 0 };
	KT_EQ(cap_set_check(&old, &new), 0);            /* drop everything */
}

KTEST(cap, inheritable_needs_setpcap_beyond_permitted)
{
	struct cap_sets old = { B(CAP_CHOWN), B(CAP_CHOWN), B(CAP_KILL) };
	struct cap_sets new = old;

	new.inheritable = B(CAP_KILL) | B(CAP_CHOWN);   /* within I | P */
	KT_EQ(cap_set_check(&old, &new), 0);
	new.inheritable = B(CAP_SYS_BOOT);
	KT_EQ(cap_set_check(&old, &new), -EPERM);
	old.effective = old.permitted = B(CAP_SETPCAP);
	new = old;
	new.inheritable = B(CAP_SYS_BOOT);              /* within the bounding set */
	KT_EQ(cap_set_check(&old, &new), 0);
}

KTEST(cap, execve_gives_root_the_bounding_set)
{
	struct cap_sets c = { 0, 0, B(CAP_KILL) };

	cap_exec(&c);
	KT_EQ(c.permitted, CAP_ALL);
	KT_EQ(c.effective, CAP_ALL);
	KT_EQ(c.inheritable, B(CAP_KILL));              /* kept as it was */
}

KTEST(cap, a_kernel_thread_is_capable)
{
	KT_ASSERT(capable(CAP_SYS_ADMIN));              /* ktests run in threads */
	KT_EQ(cap_effective(), CAP_ALL);
}
