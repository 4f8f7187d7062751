/*
 * Looking for the other sibling's sentinels (probe sibling, sibling.c): each answer is an errno
 * (0: reached or visible), a listener counts as reached only when it greets with the other's
 * nonce, and every connect and read is bounded. Connects go only to the other sibling's own
 * addresses (as it listed them) and to loopback: no traffic to any other address.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <mqueue.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "probe.h"
#include "sibling.h"

#define GREETING_WAIT_MS 1000

int greeted_connect(const struct sockaddr *sa, socklen_t len, const char *nonce, int *match) {
	int fd = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int err = bounded_connect(fd, sa, len);
	*match = 0;
	if (!err) {
		char want[64], got[64];
		struct pollfd p = {.fd = fd, .events = POLLIN};
		ssize_t n = poll(&p, 1, GREETING_WAIT_MS) == 1 ? read(fd, got, sizeof got - 1) : -1;
		snprintf(want, sizeof want, "%s%.32s\n", SIBLING_GREETING, nonce);
		*match = n > 0 && (size_t)n == strlen(want) && !memcmp(got, want, (size_t)n);
	}
	if (fd >= 0)
		close(fd);
	return err;
}

static void emit_connect(const char *key, const char *target, const struct sockaddr *sa, socklen_t len,
			 const char *nonce) {
	int match, err = greeted_connect(sa, len, nonce, &match);
	json_open(key, '{');
	json_str(key ? "target" : "addr", target);
	json_int("errno", err);
	json_bool("greeted", match);
	json_close('}');
}

/* argv[0] exactly: the other's sentinel process, not a probe that has the needle among its options. */
static int argv0_is(const char *cmdline, size_t len, const char *needle) {
	(void)len;
	return !strcmp(cmdline, needle);
}

static void emit_argv_scan(const char *needle) {
	char buf[256];
	int scanned, dir_err;
	int found = scan_cmdlines(buf, sizeof buf, argv0_is, needle, &scanned, &dir_err);

	json_open("process", '{');
	json_str("needle", needle);
	json_int("found_pid", found);
	json_int("scanned", scanned);
	json_int("errno", dir_err);
	json_int("kill_errno", found ? (kill(found, 0) < 0 ? errno : 0) : -1);
	json_close('}');
}

static int mq_errno(const char *name) {
	mqd_t q = mq_open(name, O_RDONLY | O_CLOEXEC);
	if (q == (mqd_t)-1)
		return errno;
	mq_close(q);
	return 0;
}

static void emit_addr(const char *addr, int port, const char *nonce) {
	struct sockaddr_in s4 = {.sin_family = AF_INET, .sin_port = htons(port)};
	struct sockaddr_in6 s6 = {.sin6_family = AF_INET6, .sin6_port = htons(port)};
	if (inet_pton(AF_INET, addr, &s4.sin_addr) == 1)
		emit_connect(NULL, addr, (struct sockaddr *)&s4, sizeof s4, nonce);
	else if (inet_pton(AF_INET6, addr, &s6.sin6_addr) == 1)
		emit_connect(NULL, addr, (struct sockaddr *)&s6, sizeof s6, nonce);
	else {
		json_open(NULL, '{');
		json_str("addr", addr);
		json_int("errno", EINVAL);
		json_bool("greeted", 0);
		json_close('}');
	}
}

void look_for_peer(const struct sib_names *peer, const struct peer_info *p, const char *our_hostname) {
	struct sockaddr_in lo = {
		.sin_family = AF_INET, .sin_port = htons(peer->tcp_port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	struct stat st;
	char target[128];
	size_t n = strlen(peer->abstract) + 1 > sizeof sun.sun_path ? sizeof sun.sun_path - 1 : strlen(peer->abstract);

	json_open("look", '{');
	snprintf(target, sizeof target, "127.0.0.1:%lld", peer->tcp_port);
	emit_connect("tcp", target, (struct sockaddr *)&lo, sizeof lo, peer->nonce);
	memcpy(sun.sun_path + 1, peer->abstract, n);
	emit_connect("abstract", peer->abstract, (struct sockaddr *)&sun,
		     (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n), peer->nonce);
	emit_result("shm", "key", NULL, peer->shm_key, shmget((key_t)peer->shm_key, 0, 0) < 0 ? errno : 0);
	emit_result("msg", "key", NULL, peer->msg_key, msgget((key_t)peer->msg_key, 0) < 0 ? errno : 0);
	emit_result("sem", "key", NULL, peer->sem_key, semget((key_t)peer->sem_key, 0, 0) < 0 ? errno : 0);
	emit_result("mq", "name", peer->mq, 0, mq_errno(peer->mq));
	emit_result("marker", "path", peer->marker, 0, stat(peer->marker, &st) < 0 ? errno : 0);
	emit_argv_scan(peer->argv);
	json_open("hostname", '{');
	json_str("ours", our_hostname);
	json_str("peer", p->hostname);
	json_close('}');
	json_open("addrs", '[');
	for (int i = 0; i < p->n_addrs; i++)
		emit_addr(p->addrs[i], (int)peer->any_port, peer->nonce);
	json_close(']');
	json_close('}');
}
