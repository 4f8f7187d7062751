/*
 * The options of `probe facts` (probes/README.md), parsed into struct facts_opts before anything
 * is observed, and the --wait-stdin hold that facts and the enforcement subcommands share. A bad
 * option is a usage error (exit 2) that quotes it, never a partial document.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "probe.h"

#define WAIT_STDIN_MS 30000
#define HOLD_FILE_ENV "ISOPROBE_HOLD_FILE"
#define HOLD_POLL_NS 5000000L

const char FACTS_USAGE[] =
	"facts [--tcp HOST:PORT] [--abstract NAME] [--shm-key K] [--msg-key K] [--sem-key K] [--mq /NAME]"
	" [--marker PATH]... [--host-pid PID] [--sentinel-argv STR] [--bind-port PORT]"
	" [--host-ns NAME:INO]... [--set-hostname NAME] [--mount-nonce STR] [--create-file PATH]"
	" [--chroot-escape] [--sysctl NAME]... [--path PATH]... [--agent] [--secret-file PATH:FNV]..."
	" [--host-socket PATH] [--egress HOST:PORT] [--write-outside PATH] [--write-inside PATH] [--wait-stdin]";

int usage_error(const char *usage, const char *why, const char *what) {
	fprintf(stderr, "probe: %s '%s'\nusage: probe %s\n", why, what, usage);
	return EXIT_USAGE;
}

int parse_ll(const char *s, long long min, long long max, long long *out) {
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

static int known_namespace(const char *name, size_t n) {
	for (size_t i = 0; i < N_NAMESPACES; i++)
		if (strlen(NAMESPACES[i]) == n && strncmp(NAMESPACES[i], name, n) == 0)
			return 1;
	return 0;
}

/* "uts:4026531838" → one host_ns entry; -1 when malformed. */
static int parse_host_ns(struct facts_opts *o, const char *arg) {
	const char *colon = strchr(arg, ':');
	long long ino;

	if (!colon || o->n_host_ns >= MAX_HOST_NS || !known_namespace(arg, colon - arg))
		return -1;
	if (parse_ll(colon + 1, 1, LLONG_MAX, &ino) < 0)
		return -1;
	struct host_ns *h = &o->host_ns[o->n_host_ns++];
	snprintf(h->name, sizeof h->name, "%.*s", (int)(colon - arg), arg);
	h->ino = (unsigned long long)ino;
	return 0;
}

static const char *const VALUE_FLAGS[] = {
	"--tcp",         "--abstract",      "--mq",          "--sentinel-argv", "--set-hostname", "--mount-nonce",
	"--create-file", "--shm-key",       "--msg-key",     "--sem-key",       "--host-pid",     "--bind-port",
	"--host-ns",     "--marker",        "--sysctl",      "--path",          "--secret-file",  "--host-socket",
	"--egress",      "--write-outside", "--write-inside"};

/* HOST:PORT with a numeric IPv4 host or a bracketed IPv6 one ("[::1]:80"); -1 if malformed. */
static int parse_tcp(struct sockaddr_storage *addr, socklen_t *len, const char *arg) {
	struct sockaddr_in *v4 = (struct sockaddr_in *)addr;
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)addr;
	const char *colon = strrchr(arg, ':');
	char host[INET6_ADDRSTRLEN + 2];
	size_t hl = colon ? (size_t)(colon - arg) : 0;
	long long port;

	if (!colon || hl >= sizeof host || parse_ll(colon + 1, 1, 65535, &port) < 0)
		return -1;
	snprintf(host, sizeof host, "%.*s", (int)hl, arg);
	if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
		v4->sin_family = AF_INET;
		v4->sin_port = htons(port);
		*len = sizeof *v4;
		return 0;
	}
	if (hl < 3 || host[0] != '[' || host[hl - 1] != ']')
		return -1;
	host[hl - 1] = 0;
	if (inet_pton(AF_INET6, host + 1, &v6->sin6_addr) != 1)
		return -1;
	v6->sin6_family = AF_INET6;
	v6->sin6_port = htons(port);
	*len = sizeof *v6;
	return 0;
}

/* "/abs/path:0123abcd…" (the hash in hex, split at the last ':'); -1 if malformed or one too many. */
static int parse_secret(struct facts_opts *o, const char *arg) {
	const char *colon = strrchr(arg, ':');
	char *end;
	static char paths[MAX_SECRETS][PATH_MAX];

	if (!colon || arg[0] != '/' || o->n_secrets >= MAX_SECRETS || colon - arg >= PATH_MAX || !colon[1])
		return -1;
	errno = 0;
	unsigned long long h = strtoull(colon + 1, &end, 16);
	if (errno || *end)
		return -1;
	snprintf(paths[o->n_secrets], PATH_MAX, "%.*s", (int)(colon - arg), arg);
	o->secrets[o->n_secrets].path = paths[o->n_secrets];
	o->secrets[o->n_secrets++].fnv = h;
	return 0;
}

/* Options with a value: 0 when set, -1 when the value is missing or malformed, 1 if unknown. */
static int set_value_option(struct facts_opts *o, const char *flag, const char *v) {
	size_t known = 0;
	while (known < sizeof VALUE_FLAGS / sizeof VALUE_FLAGS[0] && strcmp(VALUE_FLAGS[known], flag))
		known++;
	if (known == sizeof VALUE_FLAGS / sizeof VALUE_FLAGS[0])
		return 1;
	if (!v)
		return -1;
	if (!strcmp(flag, "--tcp"))
		return o->tcp = v, parse_tcp(&o->tcp_addr, &o->tcp_len, v);
	else if (!strcmp(flag, "--egress"))
		return o->agent = 1, o->egress = v, parse_tcp(&o->egress_addr, &o->egress_len, v);
	else if (!strcmp(flag, "--secret-file"))
		return o->agent = 1, parse_secret(o, v);
	else if (!strcmp(flag, "--host-socket"))
		return o->agent = 1, o->host_socket = v, v[0] == '/' ? 0 : -1;
	else if (!strcmp(flag, "--write-outside"))
		return o->agent = 1, o->write_outside = v, v[0] == '/' ? 0 : -1;
	else if (!strcmp(flag, "--write-inside"))
		return o->agent = 1, o->write_inside = v, v[0] == '/' ? 0 : -1;
	else if (!strcmp(flag, "--abstract"))
		o->abstract = v;
	else if (!strcmp(flag, "--mq"))
		o->mq = v;
	else if (!strcmp(flag, "--sentinel-argv"))
		o->sentinel_argv = v;
	else if (!strcmp(flag, "--set-hostname"))
		o->set_hostname = v;
	else if (!strcmp(flag, "--mount-nonce"))
		o->mount_nonce = v;
	else if (!strcmp(flag, "--create-file"))
		o->create_file = v;
	else if (!strcmp(flag, "--shm-key"))
		return o->has_shm = 1, parse_ll(v, INT32_MIN, UINT32_MAX, &o->shm_key);
	else if (!strcmp(flag, "--msg-key"))
		return o->has_msg = 1, parse_ll(v, INT32_MIN, UINT32_MAX, &o->msg_key);
	else if (!strcmp(flag, "--sem-key"))
		return o->has_sem = 1, parse_ll(v, INT32_MIN, UINT32_MAX, &o->sem_key);
	else if (!strcmp(flag, "--host-pid"))
		return o->has_kill = 1, parse_ll(v, 1, INT32_MAX, &o->kill_pid);
	else if (!strcmp(flag, "--bind-port"))
		return o->has_bind = 1, parse_ll(v, 0, 65535, &o->bind_port);
	else if (!strcmp(flag, "--host-ns"))
		return parse_host_ns(o, v);
	else if (!strcmp(flag, "--sysctl")) {
		/* A name, never a path: it is read below /proc/sys and nowhere else. */
		if (o->n_sysctls >= MAX_REQUESTED || !*v ||
		    strspn(v, "abcdefghijklmnopqrstuvwxyz0123456789_.-") != strlen(v) || strstr(v, ".."))
			return -1;
		o->sysctls[o->n_sysctls++] = v;
	} else if (!strcmp(flag, "--path")) {
		if (o->n_paths >= MAX_REQUESTED || v[0] != '/')
			return -1;
		o->paths[o->n_paths++] = v;
	} else if (!strcmp(flag, "--marker")) {
		if (o->n_markers >= MAX_MARKERS)
			return -1;
		o->markers[o->n_markers++] = v;
	}
	return 0;
}

int parse_facts_opts(int argc, char **argv, struct facts_opts *o) {
	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--chroot-escape")) {
			o->chroot_escape = 1;
			continue;
		}
		if (!strcmp(argv[i], "--agent")) {
			o->agent = 1;
			continue;
		}
		if (!strcmp(argv[i], "--wait-stdin")) {
			o->wait_stdin = 1;
			continue;
		}
		int r = set_value_option(o, argv[i], i + 1 < argc ? argv[i + 1] : NULL);
		if (r > 0)
			return usage_error(FACTS_USAGE, "unknown option", argv[i]);
		if (r < 0)
			return usage_error(FACTS_USAGE, i + 1 < argc ? "bad value for" : "missing value for", argv[i]);
		i++;
	}
	if (o->mq && o->mq[0] != '/')
		return usage_error(FACTS_USAGE, "--mq NAME must start with '/':", o->mq);
	return 0;
}

/*
 * --wait-stdin: a runtime that cannot hold the container between set-up and exec (Docker,
 * `runc run`) holds the probe here instead, so the host can observe its namespaces, id maps and
 * cgroup while it is alive; the facts are gathered in milliseconds once the byte arrives.
 * 0 when the byte came; otherwise a one-line reason on stderr.
 *
 * A runtime reached only through an API with no stdin of its own (CRI without its streaming
 * server) names a file in a directory the host mounted instead, in ISOPROBE_HOLD_FILE: the go is
 * that file appearing, within the same bound (polled every 5 ms).
 */
static int wait_for_hold_file(const char *file) {
	struct timespec step = {.tv_sec = 0, .tv_nsec = HOLD_POLL_NS};
	for (long waited = 0; waited < (long)WAIT_STDIN_MS * 1000000L; waited += HOLD_POLL_NS) {
		if (access(file, F_OK) == 0)
			return 0;
		nanosleep(&step, NULL);
	}
	fprintf(stderr, "probe: --wait-stdin: %s did not appear within %d ms\n", file, WAIT_STDIN_MS);
	return -1;
}

int wait_for_stdin_byte(void) {
	struct pollfd p = {.fd = STDIN_FILENO, .events = POLLIN};
	char c;
	int r;
	const char *file = getenv(HOLD_FILE_ENV);

	if (file && file[0] == '/')
		return wait_for_hold_file(file);

	do
		r = poll(&p, 1, WAIT_STDIN_MS);
	while (r < 0 && errno == EINTR);
	if (r == 0) {
		fprintf(stderr, "probe: --wait-stdin: no byte on stdin within %d ms\n", WAIT_STDIN_MS);
		return -1;
	}
	ssize_t n = r < 0 ? -1 : read(STDIN_FILENO, &c, 1);
	if (n != 1) {
		fprintf(stderr, "probe: --wait-stdin: %s before the byte\n", n == 0 ? "end of stdin" : strerror(errno));
		return -1;
	}
	return 0;
}
