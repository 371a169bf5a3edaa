/*
 * kern/lib/glob.c - '*' and '?' matching with the classic backtracking
 * loop: on a mismatch, go back to the last '*' and let it swallow one more
 * character.  Linear in practice, never recursive.
 */
#include "kern/lib/glob.h"

static bool
glob_match_n(const char *p, const char *pend, const char *s)
{
	const char *star = NULL, *resume = NULL;

	while (*s != '\0') {
		if (p < pend && (*p == '?' || *p == *s)) {
			p++;
			s++;
		} else if (p < pend && *p == '*') {
			star = p++;
			resume = s;
		} else if (star != NULL) {
			p = star + 1;
			s = ++resume;
		} else {
			return false;
		}
	}
	while (p < pend && *p == '*')
		p++;
	return p == pend;
}

bool
glob_match(const char *pattern, const char *s)
{
	const char *end = pattern;

	while (*end != '\0')
		end++;
	return glob_match_n(pattern, end, s);
}

bool
glob_match_list(const char *patterns, const char *s)
{
	const char *p = patterns;

	for (;;) {
		const char *end = p;
		while (*end != '\0' && *end != ',')
			end++;
		if (end > p && glob_match_n(p, end, s))
			return true;
		if (*end == '\0')
			return false;
		p = end + 1;
	}
}
