/*
 * The write tests that close the `sentinels` section of `probe facts`: sethostname, a tmpfs
 * mount, a new file at --create-file, and the classic chroot escape. sethostname and the mount
 * run only in a namespace proven (by inode, --host-ns) to differ from the host's; the file is
 * made where the harness asked (its own scratch directory); the chroot escape runs in a forked
 * child on a directory the probe made and removes.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "probe.h"

#define ESCAPE_DEPTH 64
#define MOUNT_DIR "/tmp/isoprobe-mnt"

const char *host_ns_refusal(const struct facts_opts *o, const char *ns) {
	char path[64];
	struct stat st;

	snprintf(path, sizeof path, "/proc/self/ns/%s", ns);
	if (stat(path, &st) < 0)
		return "own-ns-unknown";
	for (int i = 0; i < o->n_host_ns; i++)
		if (!strcmp(o->host_ns[i].name, ns))
			return o->host_ns[i].ino == (unsigned long long)st.st_ino ? "shared-with-host" : NULL;
	return "host-ns-unknown";
}

static void emit_guarded(const char *key, const char *field, const char *v, const char *refused, int err) {
	json_open(key, '{');
	json_str(field, v);
	json_int("errno", refused ? 0 : err);
	json_str("refused", refused);
	json_close('}');
}

static int mount_probe(const char *nonce) {
	char source[256];
	int made = mkdir(MOUNT_DIR, 0700) == 0, err = 0;

	if (!made && errno != EEXIST)
		return errno;
	snprintf(source, sizeof source, "isoprobe-%s", nonce);
	/* The mount stays: it dies with the container's mount namespace unless it propagated to
	 * the host, where the harness then finds (and removes) it. Unmounting here would
	 * propagate too and hide the leak. */
	if (mount(source, MOUNT_DIR, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=4k") < 0) {
		err = errno;
		if (made)
			rmdir(MOUNT_DIR);
	}
	return err;
}

static int create_probe(const char *path) {
	int fd = open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0600);
	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

/* ---------------------------------------------------------------- chroot escape */

struct escape_result {
	int attempted, err, escaped;
	unsigned seen; /* bit i: o->markers[i] was visible after the escape */
};

/* Child side: the classic escape works only when the root was changed with chroot, not pivot_root. */
static struct escape_result escape_child(const char *dir, const struct facts_opts *o) {
	struct escape_result r = {0};
	struct stat before, after, m;

	if (stat("/", &before) < 0 || chroot(dir) < 0) {
		r.err = errno;
		return r;
	}
	r.attempted = 1;
	/* The cwd is still outside the new root, so ".." walks up past it. */
	for (int i = 0; i < ESCAPE_DEPTH; i++)
		if (chdir("..") < 0)
			break;
	if (chroot(".") < 0 || stat("/", &after) < 0) {
		r.err = errno;
		return r;
	}
	r.escaped = before.st_dev != after.st_dev || before.st_ino != after.st_ino;
	for (int i = 0; i < o->n_markers; i++)
		if (stat(o->markers[i], &m) == 0)
			r.seen |= 1u << i;
	return r;
}

/* Bounded wait: the result or the child's end within CHILD_TIMEOUT_MS, then SIGKILL. */
static int reap_child(pid_t pid, int rfd, struct escape_result *r) {
	struct pollfd p = {.fd = rfd, .events = POLLIN};
	int ready = poll(&p, 1, CHILD_TIMEOUT_MS);
	/* A child that died without reporting leaves EOF: EPIPE, not a timeout. */
	int err = ready == 0                                      ? ETIMEDOUT
		  : ready < 0                                     ? errno
		  : read(rfd, r, sizeof *r) == (ssize_t)sizeof *r ? 0
								  : EPIPE;

	if (waitpid(pid, NULL, WNOHANG) == 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
	return err;
}

static struct escape_result chroot_escape(const struct facts_opts *o) {
	char dir[64] = "/tmp/isoprobe-chroot-XXXXXX";
	struct escape_result r = {0};
	int fds[2];
	pid_t pid;

	/* Made by the parent, so the parent can remove it by this path once the child is gone. */
	if (!mkdtemp(dir)) {
		strcpy(dir, "isoprobe-chroot-XXXXXX");
		if (!mkdtemp(dir))
			return r.err = errno, r;
	}
	if (pipe2(fds, O_CLOEXEC) < 0) {
		r.err = errno;
	} else {
		fflush(stdout); /* the child must not inherit (and flush) half a document */
		pid = fork();
		if (pid == 0) {
			r = escape_child(dir, o);
			_exit(write(fds[1], &r, sizeof r) == (ssize_t)sizeof r ? 0 : 1);
		}
		close(fds[1]);
		int err = pid < 0 ? errno : reap_child(pid, fds[0], &r);
		if (err)
			r.err = err;
		close(fds[0]);
	}
	rmdir(dir);
	return r;
}

static void emit_chroot_escape(const struct facts_opts *o) {
	struct escape_result r = chroot_escape(o);
	json_open("chroot_escape", '{');
	json_bool("attempted", r.attempted);
	json_int("errno", r.err);
	json_bool("escaped", r.escaped);
	/* By path: a marker visible anyway (a host /dev/shm under --ipc=host) is not one the escape reached. */
	json_open("markers_seen", '[');
	for (int i = 0; i < o->n_markers; i++)
		if (r.seen & (1u << i))
			json_str(NULL, o->markers[i]);
	json_close(']');
	json_close('}');
}

void emit_write_tests(const struct facts_opts *o) {
	const char *refused;

	if (o->set_hostname) {
		refused = host_ns_refusal(o, "uts");
		int err = refused ? 0 : sethostname(o->set_hostname, strlen(o->set_hostname)) < 0 ? errno : 0;
		emit_guarded("set_hostname", "name", o->set_hostname, refused, err);
	}
	if (o->mount_nonce) {
		refused = host_ns_refusal(o, "mnt");
		emit_guarded("mount", "nonce", o->mount_nonce, refused, refused ? 0 : mount_probe(o->mount_nonce));
	}
	if (o->create_file)
		emit_result("create_file", "path", o->create_file, 0, create_probe(o->create_file));
	if (o->chroot_escape)
		emit_chroot_escape(o);
}
