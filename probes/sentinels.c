/*
 * The `sentinels` section of `probe facts`: can the container reach what the host armed for it —
 * a TCP listener, an abstract unix socket, SysV and POSIX IPC objects, marker files, a host pid,
 * a process with a unique argv, the host's busy port? Each answer is an errno; every connect is
 * bounded. The write tests that close the section are in writes.c.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
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

#define MAX_CMDLINE_BYTES 8192
#define CONNECT_TIMEOUT_MS 1000

/* Non-blocking connect bounded by poll, so an unreachable (dropping) target costs ≤ 1 s. */
int bounded_connect(int fd, const struct sockaddr *sa, socklen_t len) {
	struct pollfd p = {.fd = fd, .events = POLLOUT};
	int err = 0;
	socklen_t elen = sizeof err;

	if (fd < 0)
		return errno;
	if (connect(fd, sa, len) == 0)
		return 0;
	/* EAGAIN (a unix listener's full backlog) is final: only EINPROGRESS completes later. */
	if (errno != EINPROGRESS)
		return errno;
	int r = poll(&p, 1, CONNECT_TIMEOUT_MS);
	if (r == 0)
		return ETIMEDOUT;
	if (r < 0)
		return errno;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen) < 0)
		return errno;
	return err;
}

static int tcp_probe(const struct facts_opts *o) {
	int err, fd = socket(o->tcp_addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	err = bounded_connect(fd, (const struct sockaddr *)&o->tcp_addr, o->tcp_len);
	if (fd >= 0)
		close(fd);
	return err;
}

/*
 * The address length is part of an abstract name. Node (20) binds "\0name" NUL-padded to the
 * whole sun_path, C and koffi bind it exactly: try both, so a harness's choice cannot turn a
 * reachable socket into ECONNREFUSED (a false "isolated").
 */
static int abstract_probe(const char *name) {
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	socklen_t lens[] = {offsetof(struct sockaddr_un, sun_path) + 1 + strlen(name), sizeof sun};
	int err = 0;

	if (strlen(name) + 1 > sizeof sun.sun_path)
		return ENAMETOOLONG;
	memcpy(sun.sun_path + 1, name, strlen(name));
	for (size_t i = 0; i < 2; i++) {
		int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		int e = bounded_connect(fd, (struct sockaddr *)&sun, lens[i]);
		if (fd >= 0)
			close(fd);
		if (i == 0 || e == 0)
			err = e;
		if (err == 0)
			break;
	}
	return err;
}

static int mq_probe(const char *name) {
	mqd_t q = mq_open(name, O_RDONLY);
	if (q == (mqd_t)-1)
		return errno;
	mq_close(q);
	return 0;
}

static int bind_probe(int port) {
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons(port)};
	int err = 0, fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0)
		return errno;
	if (bind(fd, (struct sockaddr *)&sin, sizeof sin) < 0)
		err = errno;
	close(fd);
	return err;
}

/* {"<field>": <string or number>, "errno": N}: the shape of most sentinel results. */
void emit_result(const char *key, const char *field, const char *str, long long num, int err) {
	json_open(key, '{');
	if (str)
		json_str(field, str);
	else
		json_int(field, num);
	json_int("errno", err);
	json_close('}');
}

/*
 * Our own probe command line carries the needle too (as the value of --sentinel-argv), and so may
 * a wrapper process inside the container; those are invocations of the probe, not the sentinel.
 */
static int cmdline_has(const char *buf, size_t len, const char *needle) {
	static const char flag[] = "--sentinel-argv";
	size_t n = strlen(needle);
	for (size_t i = 0; n && i + n <= len; i++) {
		if (memcmp(buf + i, needle, n))
			continue;
		if (i >= sizeof flag && !memcmp(buf + i - sizeof flag, flag, sizeof flag))
			continue;
		return 1;
	}
	return 0;
}

static void emit_sentinel_argv(const char *needle) {
	static char buf[MAX_CMDLINE_BYTES + 1];
	int scanned, dir_err;
	int found = scan_cmdlines(buf, sizeof buf, cmdline_has, needle, &scanned, &dir_err) != 0;

	json_open("sentinel_argv", '{');
	json_str("needle", needle);
	json_bool("found", found);
	json_int("scanned", scanned);
	json_close('}');
}

void emit_sentinels(const struct facts_opts *o) {
	struct stat st;

	json_open("sentinels", '{');
	if (o->tcp)
		emit_result("tcp", "target", o->tcp, 0, tcp_probe(o));
	if (o->abstract)
		emit_result("abstract", "target", o->abstract, 0, abstract_probe(o->abstract));
	if (o->has_shm)
		emit_result("shm", "key", NULL, o->shm_key, shmget((key_t)o->shm_key, 0, 0) < 0 ? errno : 0);
	if (o->has_msg)
		emit_result("msg", "key", NULL, o->msg_key, msgget((key_t)o->msg_key, 0) < 0 ? errno : 0);
	if (o->has_sem)
		emit_result("sem", "key", NULL, o->sem_key, semget((key_t)o->sem_key, 0, 0) < 0 ? errno : 0);
	if (o->mq)
		emit_result("mq", "name", o->mq, 0, mq_probe(o->mq));
	if (o->n_markers) {
		json_open("markers", '[');
		for (int i = 0; i < o->n_markers; i++)
			emit_result(NULL, "path", o->markers[i], 0, stat(o->markers[i], &st) < 0 ? errno : 0);
		json_close(']');
	}
	if (o->has_kill)
		emit_result("kill", "pid", NULL, o->kill_pid, kill((pid_t)o->kill_pid, 0) < 0 ? errno : 0);
	if (o->sentinel_argv)
		emit_sentinel_argv(o->sentinel_argv);
	if (o->has_bind)
		emit_result("bind_port", "port", NULL, o->bind_port, bind_probe((int)o->bind_port));
	emit_write_tests(o);
	json_close('}');
}
