/*
 * kern/core/cmdline.c - parsing the command line (see cmdline.h for the rules).
 *
 * Parsing copies each option's text into cl->buf as two NUL-terminated
 * strings, key then value, and points the option at them:
 *
 *   src:  a=1 "b=x y" c
 *   buf:  a\0 1\0 b\0 x y\0 c\0 \0
 *   opt:  {a,"1",true} {b,"x y",true} {c,"",false}
 *
 * The first '=' splits key from value, quoted or not (so "msg=a b" and
 * msg="a b" mean the same); later ones belong to the value.  A bare "--"
 * ends the options: cl->rest points at the words after it, init's
 * arguments, which kmain splits.
 */
#include "kern/core/cmdline.h"
#include "kern/lib/printf.h"
#include "kern/lib/string.h"

struct cmdline boot_cmdline;

extern const struct kopt __start_kopts[], __stop_kopts[];

struct parser {
	const char *s;
	struct cmdline *cl;
	size_t len;         /* bytes used in cl->buf */
};

static bool
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static bool
put(struct parser *p, char c)
{
	if (p->len >= CMDLINE_BUF) {
		p->cl->truncated = true;
		return false;
	}
	p->cl->buf[p->len++] = c;
	return true;
}

/* Copy one option, splitting at the first unquoted '='. */
static void
parse_one(struct parser *p)
{
	struct cmdline *cl = p->cl;
	size_t key_at = p->len, value_at = 0;
	bool quoted = false, has_value = false, ok = true;

	for (; *p->s != '\0' && (quoted || !is_space(*p->s)); p->s++) {
		char c = *p->s;
		if (c == '"') {
			quoted = !quoted;
		} else if (c == '\\' && quoted && p->s[1] != '\0') {
			ok = ok && put(p, *++p->s);
		} else if (c == '=' && !has_value) {
			has_value = true;
			ok = ok && put(p, '\0');
			value_at = p->len;
		} else {
			ok = ok && put(p, c);
		}
	}
	if (!has_value) {
		ok = ok && put(p, '\0');
		value_at = p->len;
	}
	ok = ok && put(p, '\0');
	/* Drop an option that did not fit, or one with an empty key ("=x"). */
	if (!ok || cl->buf[key_at] == '\0' || cl->n == CMDLINE_MAX_OPTS) {
		if (ok && cl->buf[key_at] != '\0')
			cl->truncated = true;
		p->len = key_at;
		return;
	}
	cl->opt[cl->n].key = &cl->buf[key_at];
	cl->opt[cl->n].value = &cl->buf[value_at];
	cl->opt[cl->n].has_value = has_value;
	cl->n++;
}

int
cmdline_parse(const char *src, struct cmdline *cl)
{
	struct parser p = { src ? src : "", cl, 0 };

	memset(cl, 0, sizeof(*cl));
	for (;;) {
		while (is_space(*p.s))
			p.s++;
		if (*p.s == '\0')
			break;
		/* A bare "--" ends the options: the rest is init's argv. */
		if (p.s[0] == '-' && p.s[1] == '-' && (p.s[2] == '\0' || is_space(p.s[2]))) {
			for (cl->rest = p.s + 2; is_space(*cl->rest); cl->rest++)
				;
			break;
		}
		parse_one(&p);
	}
	return cl->n;
}

const char *
cmdline_get(const struct cmdline *cl, const char *key)
{
	for (int i = cl->n - 1; i >= 0; i--) {
		if (strcmp(cl->opt[i].key, key) == 0)
			return cl->opt[i].value;
	}
	return NULL;
}

/*
 * The number at the start of s, decimal or 0x hex, into *v; returns what
 * follows it, or NULL if there is no number or it overflows.
 */
static const char *
parse_u64(const char *s, uint64_t *v)
{
	unsigned base = 10;
	const char *digits;

	*v = 0;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	for (digits = s; *s != '\0'; s++) {
		unsigned d;
		if (*s >= '0' && *s <= '9')
			d = (unsigned)(*s - '0');
		else if (base == 16 && *s >= 'a' && *s <= 'f')
			d = (unsigned)(*s - 'a' + 10);
		else if (base == 16 && *s >= 'A' && *s <= 'F')
			d = (unsigned)(*s - 'A' + 10);
		else
			break;
		if (*v > (UINT64_MAX - d) / base)
			return NULL;
		*v = *v * base + d;
	}
	return s == digits ? NULL : s;
}

uint64_t
cmdline_get_u64(const struct cmdline *cl, const char *key, uint64_t def)
{
	const char *s = cmdline_get(cl, key);
	uint64_t v;

	if (s == NULL || (s = parse_u64(s, &v)) == NULL || *s != '\0')
		return def;
	return v;
}

uint64_t
cmdline_get_size(const struct cmdline *cl, const char *key, uint64_t def)
{
	const char *s = cmdline_get(cl, key);
	unsigned shift = 0;
	uint64_t v;

	if (s == NULL || (s = parse_u64(s, &v)) == NULL)
		return def;
	switch (*s) {
	case 'K': case 'k': shift = 10; s++; break;
	case 'M': case 'm': shift = 20; s++; break;
	case 'G': case 'g': shift = 30; s++; break;
	}
	if (*s != '\0' || v > (UINT64_MAX >> shift))
		return def;
	return v << shift;
}

bool
kopt_known(const char *key)
{
	for (const struct kopt *k = __start_kopts; k < __stop_kopts; k++) {
		if (strcmp(k->key, key) == 0)
			return true;
	}
	return false;
}

int
cmdline_warn_unknown(const struct cmdline *cl)
{
	int unknown = 0;

	for (int i = 0; i < cl->n; i++) {
		if (kopt_known(cl->opt[i].key))
			continue;
		kprintf("cmdline: warning: unknown option '%s' ignored\n",
		    cl->opt[i].key);
		unknown++;
	}
	if (cl->truncated)
		kprintf("cmdline: warning: command line too long, some of it ignored\n");
	return unknown;
}

const char *
kopt_get(const char *key)
{
	return cmdline_get(&boot_cmdline, key);
}

uint64_t
kopt_get_u64(const char *key, uint64_t def)
{
	return cmdline_get_u64(&boot_cmdline, key, def);
}

uint64_t
kopt_get_size(const char *key, uint64_t def)
{
	return cmdline_get_size(&boot_cmdline, key, def);
}
