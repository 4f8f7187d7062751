/*
 * The cgroupfs facts of `probe facts`. Two sections:
 *
 *  - cgroupfs: every cgroup/cgroup2 mount in /proc/self/mountinfo, whether it is read-only, and
 *    whether a child cgroup can be made at its root (mkdir isoprobe-probe-<nonce>; removed at once
 *    when it was made — the name is one the harness's leftover scan knows);
 *  - cgroup_leave: a forked child of the probe tries to move itself out of its cgroup by writing
 *    its pid to cgroup.procs of each mount's root and of its own cgroup's parent where that is
 *    visible, then of each hierarchy mounted anew in a private mount namespace (what a container
 *    with CAP_SYS_ADMIN can do whatever cgroupfs it was given); /proc/self/cgroup before and after. The child exits at once, so a move that works
 *    takes nothing but that short-lived child out of the container's limits.
 *
 * Both write to cgroupfs, which is the host's state: they run only where the mount or the cgroup
 * namespace is proven (by inode, --host-ns) to differ from the host's, never in the probe run
 * on the host itself; otherwise "refused" says why, as for the other write tests.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include "probe.h"

#define MAX_CG_MOUNTS 32
#define MAX_CG_ATTEMPTS 64
#define CG_PATH 512
#define CG_TEXT 4096

struct cg_mount {
	char point[CG_PATH], root[CG_PATH], type[8], super[256];
	int opt_ro;
};

/* mountinfo escapes space, tab, newline and backslash as \ooo. */
static void unescape_into(char *dst, size_t size, const char *src) {
	size_t n = 0;
	while (*src && n + 1 < size) {
		if (src[0] == '\\' && src[1] >= '0' && src[1] <= '3' && src[2] >= '0' && src[2] <= '7' &&
		    src[3] >= '0' && src[3] <= '7') {
			dst[n++] = (char)((src[1] - '0') * 64 + (src[2] - '0') * 8 + (src[3] - '0'));
			src += 4;
		} else {
			dst[n++] = *src++;
		}
	}
	dst[n] = 0;
}

/* Is `word` one of the comma-separated words of `list`? */
static int has_word(const char *list, const char *word, size_t wlen) {
	for (const char *p = list; *p;) {
		size_t len = strcspn(p, ",");
		if (len == wlen && !strncmp(p, word, wlen))
			return 1;
		p += len + (p[len] == ',');
	}
	return 0;
}

/* The cgroup mounts of our mountinfo, at most MAX_CG_MOUNTS; -errno if it cannot be read. */
static int read_cg_mounts(struct cg_mount *out) {
	static char text[MAX_FILE_BYTES + 1];
	int fd = open("/proc/self/mountinfo", O_RDONLY | O_CLOEXEC), n = 0;
	ssize_t len = 0, r;

	if (fd < 0)
		return -errno;
	while (len < MAX_FILE_BYTES && (r = read(fd, text + len, MAX_FILE_BYTES - len)) > 0)
		len += r;
	close(fd);
	text[len] = 0;
	for (char *save = NULL, *line = strtok_r(text, "\n", &save); line && n < MAX_CG_MOUNTS;
	     line = strtok_r(NULL, "\n", &save)) {
		char *f[8] = {0}, *sep = strstr(line, " - "), *s2 = NULL;
		if (!sep)
			continue;
		*sep = 0;
		int k = 0;
		for (char *t = strtok_r(line, " ", &s2); t && k < 6; t = strtok_r(NULL, " ", &s2))
			f[k++] = t;
		char *type = strtok_r(sep + 3, " ", &s2), *source = strtok_r(NULL, " ", &s2),
		     *super = strtok_r(NULL, " ", &s2);
		if (k < 6 || !type || !source || (strcmp(type, "cgroup") && strcmp(type, "cgroup2")))
			continue;
		struct cg_mount *m = &out[n++];
		unescape_into(m->root, sizeof m->root, f[3]);
		unescape_into(m->point, sizeof m->point, f[4]);
		snprintf(m->type, sizeof m->type, "%s", type);
		snprintf(m->super, sizeof m->super, "%s", super ? super : "");
		m->opt_ro = has_word(f[5], "ro", 2);
	}
	return n;
}

/* NULL when the mount or the cgroup namespace differs from the host's, else the mnt refusal. */
static const char *cgroupfs_refusal(const struct facts_opts *o) {
	const char *mnt = host_ns_refusal(o, "mnt");
	return mnt && host_ns_refusal(o, "cgroup") ? mnt : NULL;
}

void emit_cgroupfs(const struct facts_opts *o) {
	static struct cg_mount mounts[MAX_CG_MOUNTS];
	char dir[CG_PATH + 96]; /* room for the longest point, prefix and nonce: never truncated */
	struct statvfs v;
	int n = read_cg_mounts(mounts);
	const char *refused = cgroupfs_refusal(o);

	json_open("cgroupfs", '{');
	json_int("mountinfo_errno", n < 0 ? -n : 0);
	json_str("refused", refused);
	json_open("mounts", '[');
	for (int i = 0; i < n; i++) {
		struct cg_mount *m = &mounts[i];
		json_open(NULL, '{');
		json_str("mount_point", m->point);
		json_str("root", m->root);
		json_str("fs_type", m->type);
		json_str("super_options", m->super);
		json_bool("ro_option", m->opt_ro);
		json_int("rdonly", statvfs(m->point, &v) < 0 ? -1 : !!(v.f_flag & ST_RDONLY));
		/* The run's per-target nonce: containers of one run (all pid 1) must not meet on the host. */
		if (o->mount_nonce)
			snprintf(dir, sizeof dir, "%.*s/isoprobe-probe-%.64s", CG_PATH - 1, m->point, o->mount_nonce);
		else
			snprintf(dir, sizeof dir, "%.*s/isoprobe-probe-%d", CG_PATH - 1, m->point, getpid());
		int made = !refused && mkdir(dir, 0700) == 0;
		json_int("mkdir_errno", refused ? -1 : made ? 0 : errno);
		json_int("rmdir_errno", !made ? -1 : rmdir(dir) < 0 ? errno : 0);
		json_close('}');
	}
	json_close(']');
	json_close('}');
}

/* ---------------------------------------------------------------- leaving the cgroup */

struct cg_attempt {
	char path[CG_PATH];
	int own, err;
};

struct cg_leave {
	char before[CG_TEXT], after[CG_TEXT];
	struct cg_attempt attempts[MAX_CG_ATTEMPTS];
	int n_attempts;
};

static void read_text(const char *path, char *buf, size_t size) {
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, size - 1);
	if (fd >= 0)
		close(fd);
	buf[n < 0 ? 0 : n] = 0;
}

/* Our path in the mount's hierarchy, from /proc/self/cgroup ("ID:controllers:path"); NULL if none. */
static const char *own_path(const char *cgroup_text, const struct cg_mount *m, char *out, size_t size) {
	for (const char *line = cgroup_text; *line;) {
		size_t len = strcspn(line, "\n");
		const char *c1 = memchr(line, ':', len), *c2 = c1 ? memchr(c1 + 1, ':', len - (c1 + 1 - line)) : NULL;
		if (c2) {
			int match = c2 == c1 + 1 ? !strcmp(m->type, "cgroup2") : !strcmp(m->type, "cgroup");
			for (const char *w = c1 + 1; match && w < c2;) {
				size_t wl = strcspn(w, ",:");
				match = has_word(m->super, w, wl);
				w += wl + (w[wl] == ',');
			}
			if (match) {
				snprintf(out, size, "%.*s", (int)(len - (c2 + 1 - line)), c2 + 1);
				return out;
			}
		}
		line += len + (line[len] == '\n');
	}
	return NULL;
}

static void add_attempt(struct cg_leave *r, const char *dir, int own) {
	for (int i = 0; i < r->n_attempts; i++)
		if (!strcmp(r->attempts[i].path, dir))
			return;
	if (r->n_attempts < MAX_CG_ATTEMPTS) {
		struct cg_attempt *a = &r->attempts[r->n_attempts++];
		snprintf(a->path, sizeof a->path, "%s", dir);
		a->own = own;
	}
}

/* The mount's root always; our cgroup's parent when it lies below that root. */
static void plan_attempts(struct cg_leave *r, const struct cg_mount *mounts, int n) {
	char own[CG_PATH], dir[CG_PATH];
	for (int i = 0; i < n; i++) {
		const struct cg_mount *m = &mounts[i];
		const char *p = own_path(r->before, m, own, sizeof own);
		size_t rl = strcmp(m->root, "/") ? strlen(m->root) : 0;
		/* The parent first, the root last: a move that works ends as high as it can get. */
		if (p && strcmp(p, m->root) && !strncmp(p, m->root, rl) && p[rl] == '/' &&
		    snprintf(dir, sizeof dir, "%s%s", m->point, p + rl) < (int)sizeof dir) {
			char *slash = strrchr(dir, '/');
			if (slash && (size_t)(slash - dir) > strlen(m->point)) {
				*slash = 0;
				add_attempt(r, dir, 0);
			}
		}
		add_attempt(r, m->point, p && !strcmp(p, m->root));
	}
}

static int write_pid(const char *dir, const char *pid, int len) {
	char file[CG_PATH + 16];
	snprintf(file, sizeof file, "%s/cgroup.procs", strcmp(dir, "/") ? dir : "");
	int fd = open(file, O_WRONLY | O_CLOEXEC);
	int err = fd < 0 ? errno : write(fd, pid, len) == len ? 0 : errno;
	if (fd >= 0)
		close(fd);
	return err;
}

/* Whether our /proc/self/cgroup line for these mount options (or cgroup2 when NULL) says "/". */
static int at_ns_root(const char *cgroup_text, const char *opts) {
	const char *want = opts && !strncmp(opts, "none,", 5) ? opts + 5 : opts;
	for (const char *line = cgroup_text; *line;) {
		size_t len = strcspn(line, "\n");
		const char *c1 = memchr(line, ':', len), *c2 = c1 ? memchr(c1 + 1, ':', len - (c1 + 1 - line)) : NULL;
		if (c2 && (want ? (size_t)(c2 - c1 - 1) == strlen(want) && !strncmp(c1 + 1, want, c2 - c1 - 1)
				: c2 == c1 + 1))
			return len - (c2 + 1 - line) == 1 && c2[1] == '/';
		line += len + (line[len] == '\n');
	}
	return 0;
}

/*
 * A container with CAP_SYS_ADMIN over its cgroup namespace need not use the cgroupfs it was given:
 * it can mount each hierarchy anew (here in the child's own private mount namespace, so nothing
 * shows outside it), and such a mount's root is its cgroup namespace's root. In the host's cgroup
 * namespace that is the host's root cgroup. v1 hierarchies are mounted with exactly an existing
 * one's options (existing_hierarchies: never a new hierarchy on the host).
 */
static void leave_by_new_mounts(struct cg_leave *r, const char *pid, int len) {
	char opts[MAX_HIERARCHIES][HIERARCHY_OPTS];
	size_t n = existing_hierarchies(opts, MAX_HIERARCHIES);
	const char *where = scratch_mountpoint();
	int v2 = !strncmp(r->before, "0::", 3) || strstr(r->before, "\n0::");
	int ns_err = !where                                                  ? ENOENT
		     : unshare(CLONE_NEWNS) < 0                              ? errno
		     : mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ? errno
									     : 0;

	for (size_t i = 0; i < n + (v2 ? 1 : 0) && r->n_attempts < MAX_CG_ATTEMPTS; i++) {
		const char *o = i < n ? opts[i] : NULL;
		struct cg_attempt *a = &r->attempts[r->n_attempts++];
		snprintf(a->path, sizeof a->path, "%s%.*s%s mounted anew", o ? "cgroup(" : "cgroup2", HIERARCHY_OPTS,
			 o ? o : "", o ? ")" : "");
		a->own = at_ns_root(r->before, o);
		if (ns_err) {
			a->err = ns_err;
			continue;
		}
		if ((o ? mount("cgroup", where, "cgroup", MS_NOSUID | MS_NODEV | MS_NOEXEC, o)
		       : mount("cgroup2", where, "cgroup2", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL)) < 0) {
			a->err = errno;
			continue;
		}
		a->err = write_pid(where, pid, len);
		umount2(where, MNT_DETACH);
	}
}

static void leave_child(struct cg_leave *r, const struct cg_mount *mounts, int n) {
	char pid[16];
	int len = snprintf(pid, sizeof pid, "%d", getpid());

	read_text("/proc/self/cgroup", r->before, sizeof r->before);
	plan_attempts(r, mounts, n);
	for (int i = 0; i < r->n_attempts; i++)
		r->attempts[i].err = write_pid(r->attempts[i].path, pid, len);
	leave_by_new_mounts(r, pid, len);
	read_text("/proc/self/cgroup", r->after, sizeof r->after);
}

void emit_cgroup_leave(const struct facts_opts *o) {
	static struct cg_mount mounts[MAX_CG_MOUNTS];
	int n = read_cg_mounts(mounts), fds[2], err = 0;
	const char *refused = cgroupfs_refusal(o);
	struct cg_leave *r =
		refused ? NULL : mmap(NULL, sizeof *r, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (refused) {
		/* nothing attempted */
	} else if (r == MAP_FAILED) {
		err = errno;
		r = NULL;
	} else if (pipe2(fds, O_CLOEXEC) < 0) {
		err = errno;
	} else {
		memset(r, 0, sizeof *r);
		fflush(stdout); /* the child must not inherit (and flush) half a document */
		pid_t child = fork();
		if (child == 0) {
			close(fds[0]);
			leave_child(r, mounts, n < 0 ? 0 : n);
			_exit(0);
		}
		close(fds[1]);
		/* The child holds the write end until it exits: EOF is its end, bounded by poll. */
		struct pollfd p = {.fd = fds[0], .events = POLLIN};
		char c;
		err = child < 0                            ? errno
		      : poll(&p, 1, CHILD_TIMEOUT_MS) <= 0 ? ETIMEDOUT
		      : read(fds[0], &c, 1) == 0           ? 0
							   : EPIPE;
		if (child > 0 && waitpid(child, NULL, WNOHANG) == 0) {
			kill(child, SIGKILL);
			waitpid(child, NULL, 0);
		}
		close(fds[0]);
	}
	json_open("cgroup_leave", '{');
	json_int("errno", err);
	json_str("refused", refused);
	json_str("before", r && !err ? r->before : "");
	json_str("after", r && !err ? r->after : "");
	json_open("attempts", '[');
	for (int i = 0; r && !err && i < r->n_attempts; i++) {
		json_open(NULL, '{');
		json_str("path", r->attempts[i].path);
		json_bool("own", r->attempts[i].own);
		json_int("errno", r->attempts[i].err);
		json_close('}');
	}
	json_close(']');
	json_close('}');
	if (r)
		munmap(r, sizeof *r);
}
