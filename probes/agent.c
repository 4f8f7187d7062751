/*
 * The `agent` section of `probe facts` (probes/README.md): what an agent or CI sandbox is for.
 * The host planted decoys (host/decoys.ts) and names them here: secret-looking files outside the
 * workspace (read, bounded, and compared with the FNV-1a hash the host computed: the contents are
 * never printed), a listening unix socket (connect), an address of a network namespace the run
 * made as "the outside world" (one bounded connect to that address only), a directory outside the
 * workspace and the workspace itself (create a file, then remove it at once). Beside them: the
 * names — never the values — of the secret-shaped variables in the environment, and the Landlock
 * ABI the kernel answers. Every attempt is one syscall or a bounded read; nothing is left behind.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "probe.h"

/* linux/landlock.h: the flag that asks landlock_create_ruleset(2) for the ABI version. */
#define LANDLOCK_CREATE_RULESET_VERSION (1U << 0)
#ifndef SYS_landlock_create_ruleset
#define SYS_landlock_create_ruleset 444
#endif
#define MAX_ENV_SCANNED 4096
#define MAX_ENV_NAMES 64
#define MAX_NAME 128
#define GREETING_MS 1000

/* FNV-1a, 64 bits: what host/decoys.ts computes of the decoy's bytes. */
uint64_t fnv1a64(const unsigned char *p, size_t n) {
	uint64_t h = 0xcbf29ce484222325ULL;
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 0x100000001b3ULL;
	return h;
}

static void emit_secret(const struct secret_file *s) {
	static unsigned char buf[MAX_FILE_BYTES];
	size_t got = 0;
	int err = 0, fd = open(s->path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);

	if (fd < 0)
		err = errno;
	while (fd >= 0 && got < sizeof buf) {
		ssize_t n = read(fd, buf + got, sizeof buf - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			err = n < 0 ? errno : 0;
			break;
		}
		got += (size_t)n;
	}
	if (fd >= 0)
		close(fd);
	json_open(NULL, '{');
	json_str("path", s->path);
	json_int("errno", err);
	json_int("bytes", (long long)got);
	json_bool("match", fd >= 0 && !err && fnv1a64(buf, got) == s->fnv);
	json_close('}');
}

static int unix_connect(const char *path) {
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	int err, fd;

	if (strlen(path) >= sizeof sun.sun_path)
		return ENAMETOOLONG;
	memcpy(sun.sun_path, path, strlen(path));
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	err = bounded_connect(fd, (struct sockaddr *)&sun, sizeof sun);
	if (fd >= 0)
		close(fd);
	return err;
}

/*
 * What answered a connect: the decoy listener writes one line at once (host/decoys.ts), which
 * tells it from anything else on the path that accepts connections (a gateway's proxy). Bounded:
 * one poll of GREETING_MS, at most sizeof buf - 1 bytes.
 */
static size_t read_greeting(int fd, char *buf, size_t size) {
	struct pollfd p = {.fd = fd, .events = POLLIN};
	ssize_t n;

	if (poll(&p, 1, GREETING_MS) != 1)
		return 0;
	n = read(fd, buf, size - 1);
	return n > 0 ? (size_t)n : 0;
}

static void emit_egress(const struct facts_opts *o) {
	struct timespec t0, t1;
	char greeting[128];
	size_t got = 0;
	int err, fd = socket(o->egress_addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	clock_gettime(CLOCK_MONOTONIC, &t0);
	err = bounded_connect(fd, (const struct sockaddr *)&o->egress_addr, o->egress_len);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (fd >= 0 && err == 0)
		got = read_greeting(fd, greeting, sizeof greeting);
	if (fd >= 0)
		close(fd);
	json_open("egress", '{');
	json_str("target", o->egress);
	json_int("errno", err);
	json_strn("greeting", greeting, got);
	json_int("ms", (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000);
	json_close('}');
}

/* A new file, written and removed at once: {"path", "errno" of the create or write, "removed"}. */
static void emit_write(const char *key, const char *path) {
	static const char text[] = "isoprobe write test\n";
	int err = 0, removed = 0, fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);

	if (fd < 0)
		err = errno;
	else {
		if (write(fd, text, sizeof text - 1) != (ssize_t)(sizeof text - 1))
			err = errno ? errno : EIO;
		close(fd);
		removed = unlink(path) == 0;
	}
	json_open(key, '{');
	json_str("path", path);
	json_int("errno", err);
	json_bool("removed", removed);
	json_close('}');
}

/*
 * A name that looks like it holds a secret (the words of docs/sandbox-profile.md): matched on the
 * upper-cased name, so "github_token" counts as GITHUB_TOKEN.
 */
static const char *const SECRET_WORDS[] = {"SECRET",     "TOKEN",  "PASSWORD",    "PASSWD",
					   "API_KEY",    "APIKEY", "ACCESS_KEY",  "PRIVATE_KEY",
					   "CREDENTIAL", "AUTH",   "SESSION_KEY", "SSH_AUTH_SOCK"};

int secret_shaped(const char *name, size_t n) {
	char up[MAX_NAME + 1];

	if (n == 0 || n > MAX_NAME)
		return 0;
	for (size_t i = 0; i < n; i++)
		up[i] = (name[i] >= 'a' && name[i] <= 'z') ? name[i] - 'a' + 'A' : name[i];
	up[n] = 0;
	for (size_t i = 0; i < sizeof SECRET_WORDS / sizeof SECRET_WORDS[0]; i++)
		if (strstr(up, SECRET_WORDS[i]))
			return 1;
	return 0;
}

static void emit_env_names(void) {
	int scanned = 0, listed = 0;

	json_open("env_secret_names", '[');
	for (char **e = environ; e && *e && scanned < MAX_ENV_SCANNED; e++, scanned++) {
		const char *eq = strchr(*e, '=');
		size_t n = eq ? (size_t)(eq - *e) : strlen(*e);
		if (listed < MAX_ENV_NAMES && secret_shaped(*e, n)) {
			/* The name only: the value after '=' is never read into the document. */
			json_strn(NULL, *e, n);
			listed++;
		}
	}
	json_close(']');
	json_int("env_scanned", scanned);
}

static void emit_landlock(void) {
	long abi = syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);

	json_open("landlock", '{');
	json_int("abi", abi < 0 ? 0 : abi);
	json_int("errno", err_of(abi));
	json_close('}');
}

void emit_agent(const struct facts_opts *o) {
	if (!o->agent)
		return;
	json_open("agent", '{');
	json_open("secret_files", '[');
	for (int i = 0; i < o->n_secrets; i++)
		emit_secret(&o->secrets[i]);
	json_close(']');
	if (o->host_socket)
		emit_result("host_socket", "path", o->host_socket, 0, unix_connect(o->host_socket));
	if (o->egress)
		emit_egress(o);
	if (o->write_outside)
		emit_write("write_outside", o->write_outside);
	if (o->write_inside)
		emit_write("write_inside", o->write_inside);
	emit_env_names();
	emit_landlock();
	json_close('}');
}
