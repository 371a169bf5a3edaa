/*
 * kern/core/cmdline.h - the kernel command line as key=value options.
 *
 * GRUB passes one string, e.g.
 *
 *     ktest=pmap/enter seed=42 init="/bin/sh -x" verbose
 *
 * which parses to ktest="pmap/enter", seed="42", init="/bin/sh -x" and verbose
 * (a key with no value).  Double quotes group spaces; a backslash inside
 * quotes escapes the next character; the first '=' ends the key.  A
 * repeated key: the last one wins.
 *
 * A bare "--" ends the options; the text after it is not parsed but kept
 * as cl->rest, init's arguments:
 *
 *     init=/bin/x -- -v a b    ->  init="/bin/x", rest "-v a b"
 *
 * A "--" inside quotes (msg="x -- y"), or glued to a word ("--x"), ends
 * nothing.
 *
 * Every key the kernel understands is declared next to the code that reads
 * it, with KOPT(key, help); kmain warns (one line each) about keys nobody
 * declared and carries on.
 */
#ifndef KERN_CMDLINE_H
#define KERN_CMDLINE_H

#include "kern/lib/types.h"

#define CMDLINE_MAX_OPTS 32
#define CMDLINE_BUF 1024

struct cmdline_opt {
	const char *key;
	const char *value;  /* "" for a bare key */
	bool has_value;     /* false for a bare key */
};

struct cmdline {
	struct cmdline_opt opt[CMDLINE_MAX_OPTS];
	int n;
	bool truncated;     /* options or text were dropped: too many/long */
	const char *rest;   /* after a bare "--", spaces skipped: a pointer
	                       into the parsed string; NULL if there was none */
	char buf[CMDLINE_BUF];
};

struct kopt {
	const char *key;
	const char *help;
};

#define KOPT(id, keystr, helpstr)                                          \
	static const struct kopt kopt_##id                                 \
	    __attribute__((section("kopts"), used, aligned(8))) = {        \
		.key = keystr, .help = helpstr                             \
	}

/*
 * cmdline_parse - split src into options in cl (cl keeps its own copy of
 * them), up to a bare "--", and point cl->rest at what follows it.
 *  => returns the number of options; never fails: what does not fit is
 *     dropped and cl->truncated set.
 *  => cl->rest points into src: src must outlive its use.
 */
int cmdline_parse(const char *src, struct cmdline *cl);

/* cmdline_get - the value of the last occurrence of key, or NULL if absent. */
const char *cmdline_get(const struct cmdline *cl, const char *key);

/* cmdline_get_u64 - key as a decimal or 0x number, or def if absent or bad. */
uint64_t cmdline_get_u64(const struct cmdline *cl, const char *key, uint64_t def);

/*
 * cmdline_get_size - key as a size: a number as cmdline_get_u64 reads it,
 * optionally followed by K, M or G (binary: 64M is 64 << 20).
 *  => returns def if absent, malformed or too big for 64 bits.
 */
uint64_t cmdline_get_size(const struct cmdline *cl, const char *key, uint64_t def);

/* kopt_known - true if some KOPT() declares key. */
bool kopt_known(const char *key);

/*
 * cmdline_warn_unknown - print one warning line per undeclared key.
 *  => returns the number of unknown keys.
 */
int cmdline_warn_unknown(const struct cmdline *cl);

/* The boot command line, parsed once by kmain. */
extern struct cmdline boot_cmdline;

/* Shorthands for the boot command line. */
const char *kopt_get(const char *key);
uint64_t kopt_get_u64(const char *key, uint64_t def);
uint64_t kopt_get_size(const char *key, uint64_t def);

#endif
