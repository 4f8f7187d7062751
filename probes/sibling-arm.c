/*
 * A sibling's own sentinels (probe sibling, sibling.c): armed once, verified once more after the
 * other sibling's look (the same identity then means the object was live for the whole look: none
 * is ever re-made), then removed. The listeners are handed to the sentinel process, which serves
 * them (sibling-serve) under the unique argv the other sibling looks for.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
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
#include <sys/prctl.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "probe.h"
#include "sibling.h"

/* The sentinel process's own bound, should its parent-death signal not come. */
#define SERVE_MAX_MS 150000
/* How long the sentinel process may take to be exec'd under its argv. */
#define EXEC_WAIT_MS 2000
#define FIRST_SERVED_FD 3

static const char *const SENTINEL_NAMES[N_SENTINELS] = {"tcp", "any", "abstract", "shm",     "msg",
							"sem", "mq",  "marker",   "process", "hostname"};

static socklen_t abstract_addr(const char *name, struct sockaddr_un *sun) {
	memset(sun, 0, sizeof *sun);
	sun->sun_family = AF_UNIX;
	size_t n = strlen(name);
	if (n + 1 > sizeof sun->sun_path)
		n = sizeof sun->sun_path - 1;
	memcpy(sun->sun_path + 1, name, n);
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n);
}

static int listen_on(int fd, const struct sockaddr *sa, socklen_t len, int *err) {
	if (fd < 0 || bind(fd, sa, len) < 0 || listen(fd, 16) < 0) {
		*err = errno ? errno : EINVAL;
		if (fd >= 0)
			close(fd);
		return -1;
	}
	*err = 0;
	return fd;
}

/* Dual-stack where the kernel has IPv6 (the other sibling may know only our IPv6 address), else IPv4. */
static int listen_any(int port, int *err, char *id, size_t idlen) {
	struct sockaddr_in6 s6 = {.sin6_family = AF_INET6, .sin6_port = htons(port), .sin6_addr = IN6ADDR_ANY_INIT};
	struct sockaddr_in s4 = {.sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(INADDR_ANY)};
	int off = 0, fd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd >= 0 && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off) == 0 &&
	    (fd = listen_on(fd, (struct sockaddr *)&s6, sizeof s6, err)) >= 0) {
		snprintf(id, idlen, "[::]:%d served", port);
		return fd;
	}
	if (fd >= 0)
		close(fd);
	snprintf(id, idlen, "0.0.0.0:%d served", port);
	return listen_on(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), (struct sockaddr *)&s4, sizeof s4, err);
}

/*
 * fork + exec of ourselves as `NEEDLE sibling-serve NONCE` with the listeners at fds 3, 4, 5;
 * -errno on failure. The exec is confirmed by a close-on-exec pipe, not by /proc: the /proc here
 * may be another pid namespace's (a runtime that keeps the host's mounts).
 */
static pid_t start_server(const struct sib_names *n, const int fds[3]) {
	int report[2];
	if (pipe2(report, O_CLOEXEC) < 0)
		return -errno;
	pid_t parent = getpid(), pid = fork();
	if (pid < 0) {
		int e = errno;
		close(report[0]);
		close(report[1]);
		return -e;
	}
	if (pid == 0) {
		int moved[3];
		char argv0[256], cmd[] = "sibling-serve", nonce[40], *env[] = {NULL};
		char *args[] = {argv0, cmd, nonce, NULL};
		snprintf(argv0, sizeof argv0, "%s", n->argv);
		snprintf(nonce, sizeof nonce, "%s", n->nonce);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(1);
		for (int i = 0; i < 3; i++)
			moved[i] = fds[i] < 0 ? -1 : fcntl(fds[i], F_DUPFD, 10);
		for (int i = 0; i < 3; i++)
			if (moved[i] < 0 || dup2(moved[i], FIRST_SERVED_FD + i) < 0)
				close(FIRST_SERVED_FD + i);
		execve("/proc/self/exe", args, env);
		int e = errno;
		ssize_t ignored = write(report[1], &e, sizeof e);
		(void)ignored;
		_exit(127);
	}
	close(report[1]);
	struct pollfd p = {.fd = report[0], .events = POLLIN};
	int e = 0;
	ssize_t got = poll(&p, 1, EXEC_WAIT_MS) == 1 ? read(report[0], &e, sizeof e) : -1;
	close(report[0]);
	if (got == 0)
		return pid; /* EOF: the exec closed the pipe */
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	return -(got < 0 ? ETIMEDOUT : e ? e : EIO);
}

static void set_state(struct sentinel_states *s, int k, int err, const char *id) {
	s->err[k] = err;
	snprintf(s->id[k], sizeof s->id[k], "%s", err ? "" : id);
}

static void arm_sysv(struct armed *a, int k, int id, int *slot) {
	char text[32];
	*slot = id;
	snprintf(text, sizeof text, "id %d", id);
	set_state(&a->state, k, id < 0 ? errno : 0, text);
}

void arm_sentinels(const struct sib_names *n, struct armed *a) {
	struct sockaddr_in lo = {
		.sin_family = AF_INET, .sin_port = htons(n->tcp_port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	struct sockaddr_un sun;
	struct stat st = {0};
	char id[96];
	int err;

	memset(a, 0, sizeof *a);
	a->lo_fd = listen_on(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), (struct sockaddr *)&lo, sizeof lo, &err);
	snprintf(id, sizeof id, "127.0.0.1:%lld served", n->tcp_port);
	set_state(&a->state, S_TCP, err, id);
	a->any_fd = listen_any((int)n->any_port, &err, id, sizeof id);
	set_state(&a->state, S_ANY, err, id);
	socklen_t len = abstract_addr(n->abstract, &sun);
	a->abs_fd = listen_on(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0), (struct sockaddr *)&sun, len, &err);
	snprintf(id, sizeof id, "@%s served", n->abstract);
	set_state(&a->state, S_ABSTRACT, err, id);
	arm_sysv(a, S_SHM, shmget((key_t)n->shm_key, 4096, IPC_CREAT | IPC_EXCL | 0600), &a->shm_id);
	arm_sysv(a, S_MSG, msgget((key_t)n->msg_key, IPC_CREAT | IPC_EXCL | 0600), &a->msg_id);
	arm_sysv(a, S_SEM, semget((key_t)n->sem_key, 1, IPC_CREAT | IPC_EXCL | 0600), &a->sem_id);
	/* 0644: mq_open(O_RDONLY) checks permissions, and the other sibling may be another uid (host/sentinels.ts). */
	/*
	 * The smallest queue: the kernel charges a queue's whole size to its owner's RLIMIT_MSGQUEUE
	 * (EMFILE past it), and every container of a run may map root to the same host uid.
	 */
	struct mq_attr attr = {.mq_maxmsg = 1, .mq_msgsize = 16};
	mqd_t q = mq_open(n->mq, O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, 0644, &attr);
	set_state(&a->state, S_MQ, q == (mqd_t)-1 ? errno : 0, "live");
	if (q != (mqd_t)-1)
		mq_close(q);
	int fd = open(n->marker, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0644);
	err = fd < 0 || write(fd, n->nonce, strlen(n->nonce)) < 0 || fstat(fd, &st) < 0 ? errno : 0;
	if (fd >= 0)
		close(fd);
	snprintf(id, sizeof id, "dev %llu ino %llu", (unsigned long long)st.st_dev, (unsigned long long)st.st_ino);
	set_state(&a->state, S_MARKER, fd < 0 ? errno : err, id);
	int fds[3] = {a->lo_fd, a->any_fd, a->abs_fd};
	a->server = start_server(n, fds);
	snprintf(id, sizeof id, "pid %d", (int)a->server);
	set_state(&a->state, S_PROCESS, a->server < 0 ? -a->server : 0, id);
	/* Served by the sentinel process alone: if it dies, a connect is refused, not left in a backlog. */
	for (int i = 0; i < 3; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	a->hostname[0] = 0;
	err = gethostname(a->hostname, sizeof a->hostname - 1) < 0 ? errno : 0;
	set_state(&a->state, S_HOSTNAME, err, a->hostname);
}

static void verify_connect(struct sentinel_states *h, int k, const struct sockaddr *sa, socklen_t len,
			   const char *nonce, const char *id) {
	int match = 0, err = greeted_connect(sa, len, nonce, &match);
	set_state(h, k, err ? err : match ? 0 : EPROTO, id);
}

static void verify_sysv(struct sentinel_states *h, int k, int id) {
	char text[32];
	snprintf(text, sizeof text, "id %d", id);
	set_state(h, k, id < 0 ? errno : 0, text);
}

void verify_sentinels(const struct sib_names *n, const struct armed *a, struct sentinel_states *h) {
	struct sockaddr_in lo = {
		.sin_family = AF_INET, .sin_port = htons(n->tcp_port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	struct sockaddr_in any = lo;
	struct sockaddr_un sun;
	struct stat st = {0};
	char id[96], host[HOSTNAME_BYTES] = "";

	any.sin_port = htons(n->any_port);
	verify_connect(h, S_TCP, (struct sockaddr *)&lo, sizeof lo, n->nonce, a->state.id[S_TCP]);
	verify_connect(h, S_ANY, (struct sockaddr *)&any, sizeof any, n->nonce, a->state.id[S_ANY]);
	socklen_t len = abstract_addr(n->abstract, &sun);
	verify_connect(h, S_ABSTRACT, (struct sockaddr *)&sun, len, n->nonce, a->state.id[S_ABSTRACT]);
	verify_sysv(h, S_SHM, shmget((key_t)n->shm_key, 0, 0));
	verify_sysv(h, S_MSG, msgget((key_t)n->msg_key, 0));
	verify_sysv(h, S_SEM, semget((key_t)n->sem_key, 0, 0));
	mqd_t q = mq_open(n->mq, O_RDONLY | O_CLOEXEC);
	set_state(h, S_MQ, q == (mqd_t)-1 ? errno : 0, "live");
	if (q != (mqd_t)-1)
		mq_close(q);
	int err = stat(n->marker, &st) < 0 ? errno : 0;
	snprintf(id, sizeof id, "dev %llu ino %llu", (unsigned long long)st.st_dev, (unsigned long long)st.st_ino);
	set_state(h, S_MARKER, err, id);
	/* Alive and ours: not reaped, so its pid cannot have been reused (and exec'd once, under its argv). */
	err = a->server <= 0 ? ESRCH : waitpid(a->server, NULL, WNOHANG) != 0 ? ESRCH : 0;
	set_state(h, S_PROCESS, err, a->state.id[S_PROCESS]);
	err = gethostname(host, sizeof host - 1) < 0 ? errno : 0;
	set_state(h, S_HOSTNAME, err, host);
	/* A sentinel that never armed stays as it was: nothing to verify. */
	for (int k = 0; k < N_SENTINELS; k++)
		if (a->state.err[k])
			set_state(h, k, a->state.err[k], "");
}

void disarm_sentinels(const struct sib_names *n, struct armed *a) {
	if (a->server > 0) {
		kill(a->server, SIGKILL);
		waitpid(a->server, NULL, 0);
		a->server = 0;
	}
	if (!a->state.err[S_SHM])
		shmctl(a->shm_id, IPC_RMID, NULL);
	if (!a->state.err[S_MSG])
		msgctl(a->msg_id, IPC_RMID, NULL);
	if (!a->state.err[S_SEM])
		semctl(a->sem_id, 0, IPC_RMID);
	if (!a->state.err[S_MQ])
		mq_unlink(n->mq);
	if (!a->state.err[S_MARKER])
		unlink(n->marker);
}

void emit_sentinel_states(const char *key, const struct sentinel_states *s) {
	json_open(key, '{');
	for (int k = 0; k < N_SENTINELS; k++) {
		json_open(SENTINEL_NAMES[k], '{');
		json_int("errno", s->err[k]);
		json_str("id", s->id[k]);
		json_close('}');
	}
	json_close('}');
}

/* `NEEDLE sibling-serve NONCE`: greets every connection on fds 3..5 with the nonce, until killed or bounded. */
int cmd_sibling_serve(int argc, char **argv) {
	struct pollfd p[3];
	char greeting[64];
	if (argc != 1)
		return usage_error("sibling-serve NONCE (started by probe sibling)", "expected one argument",
				   argc ? argv[1] : "");
	snprintf(greeting, sizeof greeting, "%s%.32s\n", SIBLING_GREETING, argv[0]);
	for (int i = 0; i < 3; i++)
		p[i] = (struct pollfd){.fd = FIRST_SERVED_FD + i, .events = POLLIN};
	struct timespec t0, t;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (t = t0; (t.tv_sec - t0.tv_sec) * 1000 < SERVE_MAX_MS; clock_gettime(CLOCK_MONOTONIC, &t)) {
		if (poll(p, 3, 200) <= 0)
			continue;
		for (int i = 0; i < 3; i++) {
			if (!(p[i].revents & POLLIN))
				continue;
			int c = accept4(p[i].fd, NULL, NULL, SOCK_CLOEXEC);
			if (c < 0)
				continue;
			ssize_t ignored = write(c, greeting, strlen(greeting));
			(void)ignored;
			close(c);
		}
		/* A closed fd answers POLLNVAL at once: stop polling it. */
		for (int i = 0; i < 3; i++)
			if (p[i].revents & POLLNVAL)
				p[i].fd = -1;
	}
	return 0;
}
