/*
 * kern/lib/glob.h - shell-style pattern matching: '*' matches any run of
 * characters (including '/'), '?' one character.  Used to select tests
 * such as "*extend*".  A comma-separated list
 * matches if any part does.
 */
#ifndef KERN_LIB_GLOB_H
#define KERN_LIB_GLOB_H

#include "kern/lib/types.h"

bool glob_match(const char *pattern, const char *s);
bool glob_match_list(const char *patterns, const char *s);

#endif
