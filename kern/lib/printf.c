/*
 * kern/lib/printf.c - the kernel's one formatter.
 *
 * kvformat() walks the format once.  Each conversion is turned into digits
 * (or a string) in a small local buffer, then padded to the field width:
 *
 *     "%-6s|"  "ab"   ->  "ab    |"
 *     "%06d"   -42    ->  "-00042"      (zero padding goes after the sign)
 *     "%#x"    255    ->  "0xff"
 *     "%p"     ptr    ->  "0xffffffff80100000"
 *
 * It returns the number of characters the output has (even when a buffer
 * sink truncated it), as C's snprintf does.
 */
#include "kern/lib/printf.h"
#include "kern/lib/string.h"

struct fmtspec {
	bool left;      /* '-' */
	bool zero;      /* '0' */
	bool plus;      /* '+' */
	bool space;     /* ' ' */
	bool alt;       /* '#' */
	int width;
	int prec;       /* -1: none */
};

struct sink {
	kputc_fn put;
	void *arg;
	int count;
};

static void
sink_putc(struct sink *s, int c)
{
	s->put(c, s->arg);
	s->count++;
}

static void
sink_pad(struct sink *s, int c, int n)
{
	while (n-- > 0)
		sink_putc(s, c);
}

/* Emit prefix+body padded to the width of spec. */
static void
emit_field(struct sink *s, const struct fmtspec *sp, const char *prefix,
    const char *body, int bodylen)
{
	int plen = (int)strlen(prefix);
	int pad = sp->width - plen - bodylen;

	if (!sp->left && !sp->zero)
		sink_pad(s, ' ', pad);
	for (int i = 0; i < plen; i++)
		sink_putc(s, prefix[i]);
	if (!sp->left && sp->zero)
		sink_pad(s, '0', pad);
	for (int i = 0; i < bodylen; i++)
		sink_putc(s, body[i]);
	if (sp->left)
		sink_pad(s, ' ', pad);
}

/* Digits of v in base, most significant first, into buf; returns length. */
static int
utoa(uint64_t v, unsigned base, bool upper, char *buf)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	int n = 0;

	do {
		tmp[n++] = digits[v % base];
		v /= base;
	} while (v != 0);
	for (int i = 0; i < n; i++)
		buf[i] = tmp[n - 1 - i];
	return n;
}

static void
emit_number(struct sink *s, const struct fmtspec *sp, char conv, uint64_t v,
    bool neg)
{
	char body[24];
	const char *prefix = "";
	unsigned base = 10;

	if (conv == 'x' || conv == 'X' || conv == 'p')
		base = 16;
	else if (conv == 'o')
		base = 8;
	int n = utoa(v, base, conv == 'X', body);
	if (neg)
		prefix = "-";
	else if (conv == 'd' && sp->plus)
		prefix = "+";
	else if (conv == 'd' && sp->space)
		prefix = " ";
	else if (conv == 'p' || (sp->alt && base == 16 && v != 0))
		prefix = conv == 'X' ? "0X" : "0x";
	emit_field(s, sp, prefix, body, n);
}

/* Parse flags, width and precision; returns the format past them. */
static const char *
parse_spec(const char *f, struct fmtspec *sp, va_list *ap)
{
	memset(sp, 0, sizeof(*sp));
	sp->prec = -1;
	for (;; f++) {
		if (*f == '-')
			sp->left = true;
		else if (*f == '0')
			sp->zero = true;
		else if (*f == '+')
			sp->plus = true;
		else if (*f == ' ')
			sp->space = true;
		else if (*f == '#')
			sp->alt = true;
		else
			break;
	}
	if (*f == '*') {
		sp->width = va_arg(*ap, int);
		if (sp->width < 0) {
			sp->left = true;
			sp->width = -sp->width;
		}
		f++;
	}
	while (*f >= '0' && *f <= '9')
		sp->width = sp->width * 10 + (*f++ - '0');
	if (*f == '.') {
		f++;
		sp->prec = 0;
		if (*f == '*') {
			sp->prec = va_arg(*ap, int);
			f++;
		}
		while (*f >= '0' && *f <= '9')
			sp->prec = sp->prec * 10 + (*f++ - '0');
	}
	return f;
}

/* Size modifiers: returns 0 (int), 1 (long/size_t), 2 (long long), -1 (short), -2 (char). */
static const char *
parse_size(const char *f, int *size)
{
	*size = 0;
	if (f[0] == 'l' && f[1] == 'l') {
		*size = 2;
		return f + 2;
	}
	if (f[0] == 'h' && f[1] == 'h') {
		*size = -2;
		return f + 2;
	}
	if (*f == 'l' || *f == 'z' || *f == 't' || *f == 'j') {
		*size = 1;
		return f + 1;
	}
	if (*f == 'h') {
		*size = -1;
		return f + 1;
	}
	return f;
}

static int64_t
fetch_signed(int size, va_list *ap)
{
	if (size >= 1)
		return va_arg(*ap, int64_t);
	int v = va_arg(*ap, int);
	if (size == -1)
		return (short)v;
	if (size == -2)
		return (signed char)v;
	return v;
}

static uint64_t
fetch_unsigned(int size, va_list *ap)
{
	if (size >= 1)
		return va_arg(*ap, uint64_t);
	unsigned v = va_arg(*ap, unsigned);
	if (size == -1)
		return (unsigned short)v;
	if (size == -2)
		return (unsigned char)v;
	return v;
}

static void
emit_conversion(struct sink *s, struct fmtspec *sp, char conv, int size,
    va_list *ap)
{
	switch (conv) {
	case 'd':
	case 'i': {
		int64_t v = fetch_signed(size, ap);
		uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
		emit_number(s, sp, 'd', mag, v < 0);
		break;
	}
	case 'u':
	case 'x':
	case 'X':
	case 'o':
		emit_number(s, sp, conv, fetch_unsigned(size, ap), false);
		break;
	case 'p':
		emit_number(s, sp, 'p', (uintptr_t)va_arg(*ap, void *), false);
		break;
	case 'c': {
		char c = (char)va_arg(*ap, int);
		sp->zero = false;
		emit_field(s, sp, "", &c, 1);
		break;
	}
	case 's': {
		const char *str = va_arg(*ap, const char *);
		if (str == NULL)
			str = "(null)";
		int len = sp->prec >= 0 ? (int)strnlen(str, (size_t)sp->prec)
					: (int)strlen(str);
		sp->zero = false;
		emit_field(s, sp, "", str, len);
		break;
	}
	default:
		/* Unknown conversion: show it literally so the bug is visible. */
		sink_putc(s, '%');
		sink_putc(s, conv);
		break;
	}
}

int
kvformat(kputc_fn put, void *arg, const char *fmt, va_list ap)
{
	struct sink s = { put, arg, 0 };
	struct fmtspec spec;
	va_list args;
	int size;

	va_copy(args, ap);
	for (const char *f = fmt; *f != '\0'; f++) {
		if (*f != '%') {
			sink_putc(&s, *f);
			continue;
		}
		if (f[1] == '%') {
			sink_putc(&s, '%');
			f++;
			continue;
		}
		f = parse_spec(f + 1, &spec, &args);
		f = parse_size(f, &size);
		if (*f == '\0')
			break;
		emit_conversion(&s, &spec, *f, size, &args);
	}
	va_end(args);
	return s.count;
}

struct bufsink {
	char *buf;
	size_t size;
	size_t len;
};

static void
buf_putc(int c, void *arg)
{
	struct bufsink *b = arg;

	if (b->size > 0 && b->len < b->size - 1)
		b->buf[b->len] = (char)c;
	b->len++;
}

int
kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct bufsink b = { buf, size, 0 };
	int n = kvformat(buf_putc, &b, fmt, ap);

	if (size > 0)
		buf[b.len < size ? b.len : size - 1] = '\0';
	return n;
}

int
ksnprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = kvsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
