/*
 * The probe's JSON writer: one document on stdout, on one line, written as it is observed (no
 * tree is built). Kernel texts are bytes and JSON is UTF-8: see json_raw_string.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "probe.h"

static int depth;
static int need_comma[32];

static void json_raw_string(const char *s, size_t n);

/* Emits the separator and the key (NULL inside arrays) before any value. */
void json_key(const char *key) {
	if (need_comma[depth])
		putchar(',');
	need_comma[depth] = 1;
	if (key) {
		json_raw_string(key, strlen(key));
		putchar(':');
	}
}

void json_open(const char *key, char bracket) {
	json_key(key);
	putchar(bracket);
	need_comma[++depth] = 0;
}

void json_close(char bracket) {
	depth--;
	putchar(bracket);
}

/* Length of the valid UTF-8 sequence at s, 0 if the bytes are not valid UTF-8. */
static size_t utf8_len(const unsigned char *s, size_t n) {
	size_t len, i;
	uint32_t cp, min;

	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xe0) == 0xc0)
		len = 2, min = 0x80;
	else if ((s[0] & 0xf0) == 0xe0)
		len = 3, min = 0x800;
	else if ((s[0] & 0xf8) == 0xf0)
		len = 4, min = 0x10000;
	else
		return 0;
	if (len > n)
		return 0;
	cp = s[0] & (0x7f >> len);
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

/*
 * Kernel texts are bytes, JSON is UTF-8: control characters become \u00XX, and so does every
 * byte that is not valid UTF-8 (a mount point with a Latin-1 name, a sequence cut by the 64 KiB
 * cap), so the document always parses and the byte value stays readable.
 */
static void json_raw_string(const char *s, size_t n) {
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, len;

	putchar('"');
	while (i < n) {
		unsigned char c = p[i];
		if (c == '"' || c == '\\') {
			putchar('\\');
			putchar(c);
		} else if (c == '\n') {
			fputs("\\n", stdout);
		} else if (c == '\t') {
			fputs("\\t", stdout);
		} else if (c < 0x20 || (c >= 0x80 && utf8_len(p + i, n - i) == 0)) {
			printf("\\u%04x", c);
		} else {
			len = utf8_len(p + i, n - i);
			fwrite(p + i, 1, len, stdout);
			i += len;
			continue;
		}
		i++;
	}
	putchar('"');
}

void json_strn(const char *key, const char *s, size_t n) {
	json_key(key);
	json_raw_string(s, n);
}

void json_str(const char *key, const char *s) {
	json_key(key);
	if (s)
		json_raw_string(s, strlen(s));
	else
		fputs("null", stdout);
}

void json_int(const char *key, long long v) {
	json_key(key);
	printf("%lld", v);
}

void json_bool(const char *key, int v) {
	json_key(key);
	fputs(v ? "true" : "false", stdout);
}

/* Seconds with nanoseconds, printed exactly from the timespec (no float rounding). */
void json_timespec(const char *key, const struct timespec *ts) {
	json_key(key);
	printf("%lld.%09ld", (long long)ts->tv_sec, ts->tv_nsec);
}
