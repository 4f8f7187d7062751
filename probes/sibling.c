/*
 * `probe sibling`: container-to-container isolation (probes/README.md, "sibling"). Two sibling
 * containers of one target each run it with their own names and the other's (all chosen by the
 * host). The exchange, through files in DIR (the container's /scratch, written by the host
 * through /proc/<pid>/root, so it goes through the container's own mounts):
 *
 *   probe                                     host (engine/cross.ts)
 *   arm every sentinel, write DIR/armed  ──>  waits (bounded) for both siblings' armed
 *                                        <──  writes DIR/peer: the other's hostname, addresses
 *   look for the other's, write DIR/looked ─> waits (bounded) for both siblings' looked
 *                                        <──  writes DIR/end
 *   verify its own sentinels again (same identity as when armed: live for the other's whole
 *   look), remove them, print the document
 *
 * The listeners are served by the sentinel process (`sibling-serve`, exec'd under the unique argv
 * with the listening fds), so a look of the other sibling never waits for this one's own look.
 * Every wait is bounded; the sentinels are removed on every path after arming.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "probe.h"
#include "sibling.h"

/* Each phase's wait for the host; the host's own bounds are shorter (engine/cross.ts). */
#define PHASE_WAIT_MS 45000
#define POLL_FILE_MS 5

const char SIBLING_USAGE[] =
	"sibling [--wait-stdin] --dir DIR [--dir DIR2 ...] --nonce N --tcp-port P --any-port P --abstract NAME"
	" --shm-key K --msg-key K --sem-key K --mq /NAME --shm-marker PATH --argv STR"
	" --peer-nonce N --peer-tcp-port P --peer-any-port P --peer-abstract NAME --peer-shm-key K"
	" --peer-msg-key K --peer-sem-key K --peer-mq /NAME --peer-shm-marker PATH --peer-argv STR";

static int set_opt(struct sib_names *n, const char *name, const char *v) {
	static const struct {
		const char *name;
		size_t str, num;
	} F[] = {
		{"nonce", offsetof(struct sib_names, nonce), 0},
		{"abstract", offsetof(struct sib_names, abstract), 0},
		{"mq", offsetof(struct sib_names, mq), 0},
		{"shm-marker", offsetof(struct sib_names, marker), 0},
		{"argv", offsetof(struct sib_names, argv), 0},
		{"tcp-port", 0, offsetof(struct sib_names, tcp_port) + 1},
		{"any-port", 0, offsetof(struct sib_names, any_port) + 1},
		{"shm-key", 0, offsetof(struct sib_names, shm_key) + 1},
		{"msg-key", 0, offsetof(struct sib_names, msg_key) + 1},
		{"sem-key", 0, offsetof(struct sib_names, sem_key) + 1},
	};
	for (size_t i = 0; i < sizeof F / sizeof F[0]; i++) {
		if (strcmp(F[i].name, name))
			continue;
		if (!F[i].num) {
			*(const char **)((char *)n + F[i].str) = v;
			return 0;
		}
		long long max = strstr(name, "port") ? 65535 : 0x7fffffff;
		return parse_ll(v, 1, max, (long long *)((char *)n + F[i].num - 1));
	}
	return -1;
}

static int complete(const struct sib_names *n) {
	return n->nonce && n->abstract && n->mq && n->marker && n->argv && n->tcp_port && n->any_port && n->shm_key &&
	       n->msg_key && n->sem_key && n->mq[0] == '/' && strlen(n->nonce) <= 32;
}

static int parse(int argc, char **argv, struct sibling_opts *o) {
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--wait-stdin")) {
			o->wait_stdin = 1;
			continue;
		}
		if (strncmp(a, "--", 2) || i + 1 >= argc)
			return usage_error(SIBLING_USAGE, "bad option", a);
		const char *v = argv[++i];
		int bad = !strcmp(a, "--dir") ? (o->ndirs < MAX_SIBLING_DIRS ? (o->dirs[o->ndirs++] = v, 0) : -1)
			  : !strncmp(a, "--peer-", 7) ? set_opt(&o->peer, a + 7, v)
						      : set_opt(&o->own, a + 2, v);
		if (bad)
			return usage_error(SIBLING_USAGE, "bad option or value", a);
	}
	if (!o->ndirs || !complete(&o->own) || !complete(&o->peer))
		return usage_error(SIBLING_USAGE, "missing or malformed option", "sibling");
	return 0;
}

/* Written whole or not at all: the host reads a file only once its final name exists. */
static int write_file(const char *dir, const char *name, const char *text) {
	char tmp[512], final[512];
	snprintf(tmp, sizeof tmp, "%s/.%s.tmp", dir, name);
	snprintf(final, sizeof final, "%s/%s", dir, name);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return errno;
	size_t len = strlen(text);
	int err = write(fd, text, len) == (ssize_t)len ? 0 : errno ? errno : EIO;
	close(fd);
	return err ? err : rename(tmp, final) < 0 ? errno : 0;
}

static long long now_ms(void) {
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000LL + t.tv_nsec / 1000000;
}

/* Waits (bounded) for DIR/name to exist; 0 when it does. */
static int wait_file(const char *dir, const char *name) {
	char path[512];
	struct stat st;
	struct timespec step = {.tv_nsec = POLL_FILE_MS * 1000000L};
	snprintf(path, sizeof path, "%s/%s", dir, name);
	for (long long end = now_ms() + PHASE_WAIT_MS; now_ms() < end;) {
		if (stat(path, &st) == 0)
			return 0;
		nanosleep(&step, NULL);
	}
	return ETIMEDOUT;
}

/* Our addresses, as the armed file and the document give them: IPv4 and non-link-local IPv6. */
static int own_addrs(char addrs[][INET6_ADDRSTRLEN], int max) {
	struct ifaddrs *all, *i;
	int n = 0;
	if (getifaddrs(&all) < 0)
		return 0;
	for (i = all; i && n < max; i = i->ifa_next) {
		if (!i->ifa_addr || (i->ifa_addr->sa_family != AF_INET && i->ifa_addr->sa_family != AF_INET6))
			continue;
		const void *a = i->ifa_addr->sa_family == AF_INET
					? (const void *)&((const struct sockaddr_in *)i->ifa_addr)->sin_addr
					: (const void *)&((const struct sockaddr_in6 *)i->ifa_addr)->sin6_addr;
		if (i->ifa_addr->sa_family == AF_INET6 && IN6_IS_ADDR_LINKLOCAL((const struct in6_addr *)a))
			continue;
		if (inet_ntop(i->ifa_addr->sa_family, a, addrs[n], INET6_ADDRSTRLEN))
			n++;
	}
	freeifaddrs(all);
	return n;
}

/* The peer file: "hostname NAME" and "addr ADDR" lines, as the host wrote them. */
static void read_peer(const char *dir, struct peer_info *p) {
	char path[512], line[256];
	snprintf(path, sizeof path, "%s/peer", dir);
	FILE *f = fopen(path, "re");
	if (!f)
		return;
	while (fgets(line, sizeof line, f)) {
		line[strcspn(line, "\n")] = 0;
		if (!strncmp(line, "hostname ", 9))
			snprintf(p->hostname, sizeof p->hostname, "%.64s", line + 9);
		else if (!strncmp(line, "addr ", 5) && p->n_addrs < MAX_SIBLING_ADDRS)
			snprintf(p->addrs[p->n_addrs++], INET6_ADDRSTRLEN, "%.45s", line + 5);
	}
	fclose(f);
	p->received = 1;
}

static void emit_addrs(const char *key, char addrs[][INET6_ADDRSTRLEN], int n) {
	json_open(key, '[');
	for (int i = 0; i < n; i++)
		json_str(NULL, addrs[i]);
	json_close(']');
}

int cmd_sibling(int argc, char **argv) {
	struct sibling_opts o = {0};
	struct armed a;
	struct peer_info peer = {0};
	char addrs[MAX_SIBLING_ADDRS][INET6_ADDRSTRLEN], text[2048];
	int rc = parse(argc, argv, &o);

	if (rc)
		return rc;
	if (o.wait_stdin && wait_for_stdin_byte() < 0)
		return EXIT_NO_GO;
	json_open(NULL, '{');
	json_int("schema", SCHEMA);
	json_str("kind", "sibling");
	json_str("nonce", o.own.nonce);
	arm_sentinels(&o.own, &a);
	emit_sentinel_states("armed", &a.state);
	int n = own_addrs(addrs, MAX_SIBLING_ADDRS);
	json_str("hostname", a.hostname);
	emit_addrs("addrs", addrs, n);
	int len = snprintf(text, sizeof text, "hostname %s\n", a.hostname);
	for (int i = 0; i < n && len < (int)sizeof text - 64; i++)
		len += snprintf(text + len, sizeof text - len, "addr %s\n", addrs[i]);
	/* The first directory that takes the armed file is the exchange's; the host looks in each. */
	int err = ENOENT;
	for (int i = 0; i < o.ndirs && err; i++) {
		if (mkdir(o.dirs[i], 0755) < 0 && errno != EEXIST)
			continue;
		err = write_file(o.dirs[i], "armed", text);
		if (!err)
			o.dir = o.dirs[i];
	}
	const char *phase = err ? "armed-not-written" : wait_file(o.dir, "peer") ? "no-peer" : NULL;
	if (!phase) {
		read_peer(o.dir, &peer);
		look_for_peer(&o.peer, &peer, a.hostname);
		phase = write_file(o.dir, "looked", "looked\n") ? "looked-not-written"
			: wait_file(o.dir, "end")               ? "no-end"
								: "done";
	}
	struct sentinel_states held;
	verify_sentinels(&o.own, &a, &held);
	emit_sentinel_states("held", &held);
	disarm_sentinels(&o.own, &a);
	json_str("phase", phase);
	json_int("errno", err);
	json_close('}');
	putchar('\n');
	return 0;
}
