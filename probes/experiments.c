/*
 * The forked experiments of the `security` facts (probes/README.md, "security"): the
 * preconditions of known namespace escapes — unshare(CLONE_NEWUSER), PTRACE_ATTACH to a
 * non-dumpable sibling, a writable cgroup v1 release_agent (CVE-2022-0492) with and without a
 * new user namespace, fsopen() from a user namespace (CVE-2022-0185). Each runs in a forked child
 * that exits with whatever namespaces it made; each reports how far it got and the errno that
 * stopped it. Nothing is written to a sysctl, a cgroup file or a device.
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
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "probe.h"

struct child_report {
	int stage; /* how far the child got: experiment-specific */
	int err;   /* errno of the step that stopped it, 0 if all succeeded */
};

/* Runs fn in a forked child; its report or the child's end within CHILD_TIMEOUT_MS, then SIGKILL. */
static struct child_report in_child(struct child_report (*fn)(void *), void *arg) {
	struct child_report r = {0, 0};
	struct pollfd p;
	int fds[2];

	if (pipe2(fds, O_CLOEXEC) < 0)
		return r.err = errno, r;
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		r = fn(arg);
		_exit(write(fds[1], &r, sizeof r) == (ssize_t)sizeof r ? 0 : 1);
	}
	close(fds[1]);
	if (pid < 0) {
		r.err = errno;
	} else {
		p = (struct pollfd){.fd = fds[0], .events = POLLIN};
		int ready = poll(&p, 1, CHILD_TIMEOUT_MS);
		if (ready <= 0 || read(fds[0], &r, sizeof r) != (ssize_t)sizeof r)
			r = (struct child_report){-1, ready == 0 ? ETIMEDOUT : EPIPE};
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
	close(fds[0]);
	return r;
}

static struct child_report unshare_user_child(void *arg) {
	(void)arg;
	return (struct child_report){1, err_of(unshare(CLONE_NEWUSER))};
}

/* Maps our outer uid/gid to root in the new user namespace, as `unshare -r` does. */
static int map_self_root(uid_t uid, gid_t gid) {
	char buf[64];
	int fd, ok = 1;

	fd = open("/proc/self/setgroups", O_WRONLY | O_CLOEXEC);
	if (fd >= 0) {
		ok = write(fd, "deny", 4) == 4;
		close(fd);
	}
	const char *files[] = {"/proc/self/uid_map", "/proc/self/gid_map"};
	unsigned ids[] = {uid, gid};
	for (int i = 0; i < 2 && ok; i++) {
		int n = snprintf(buf, sizeof buf, "0 %u 1\n", ids[i]);
		fd = open(files[i], O_WRONLY | O_CLOEXEC);
		ok = fd >= 0 && write(fd, buf, n) == n;
		if (fd >= 0)
			close(fd);
	}
	return ok ? 0 : -1;
}

/* The first directory of these that exists: where a throwaway mount namespace mounts a hierarchy. */
const char *scratch_mountpoint(void) {
	static const char *const mountpoints[] = {"/tmp", "/mnt", "/dev", "/"};
	struct stat st;

	for (size_t i = 0; i < sizeof mountpoints / sizeof *mountpoints; i++)
		if (stat(mountpoints[i], &st) == 0 && S_ISDIR(st.st_mode))
			return mountpoints[i];
	return NULL;
}

/*
 * Mounts each hierarchy in turn on the scratch mountpoint (in the caller's private mount
 * namespace) and asks access(W_OK) of its release_agent, unmounting it at once. Stage
 * `mount_stage` is the mount, `mount_stage + 1` the access; the first writable one wins, else the
 * furthest any got.
 */
static struct child_report try_release_agents(const char *const *options, size_t n, int mount_stage) {
	const char *where = scratch_mountpoint();
	struct child_report best = {mount_stage, ENOENT};
	char path[64];

	snprintf(path, sizeof path, "%s/release_agent", strcmp(where ? where : "/", "/") ? where : "");
	for (size_t i = 0; where && i < n; i++) {
		if (mount("cgroup", where, "cgroup", MS_NOSUID | MS_NODEV | MS_NOEXEC, options[i]) < 0) {
			if (best.stage == mount_stage && errno != ENOENT && errno != EBUSY && errno != EINVAL)
				best.err = errno;
			continue;
		}
		struct child_report r = {mount_stage + 1, err_of(access(path, W_OK))};
		umount2(where, MNT_DETACH);
		if (r.err == 0)
			return r;
		if (best.stage == mount_stage || best.err == ENOENT)
			best = r;
	}
	return best;
}

/*
 * CVE-2022-0492: a throwaway user+mount+cgroup namespace, a cgroup v1 hierarchy mounted in it
 * (on /tmp of the child's private mount namespace), and access(W_OK) of its release_agent.
 * Stages: 1 unshare, 2 id map, 3 make mounts private, 4 mount, 5 access; nothing is written.
 * From a user namespace the kernel cannot create a hierarchy, so naming single controllers is safe.
 */
static struct child_report release_agent_child(void *arg) {
	static const char *const controllers[] = {"rdma",  "pids",    "memory",     "cpu",    "freezer", "devices",
						  "blkio", "net_cls", "perf_event", "cpuset", "hugetlb"};
	uid_t uid = geteuid();
	gid_t gid = getegid();

	(void)arg;
	if (unshare(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWCGROUP) < 0)
		return (struct child_report){1, errno};
	if (map_self_root(uid, gid) < 0)
		return (struct child_report){2, errno};
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return (struct child_report){3, errno};
	/* A hierarchy mounted from inside a cgroup namespace shows the namespace's root: only one the
	 * container was not placed in (its root is the hierarchy's) has a release_agent. Try each. */
	return try_release_agents(controllers, sizeof controllers / sizeof *controllers, 4);
}

/*
 * The mount options of every existing cgroup v1 hierarchy, from /proc/self/cgroup ("3:cpu,cpuacct:/x"
 * → "cpu,cpuacct", "1:name=systemd:/" → "none,name=systemd"). Exactly an existing hierarchy's set,
 * never a single controller: with CAP_SYS_ADMIN over the host's user namespace, mounting a
 * controller no hierarchy holds would create a new one on the host.
 */
size_t existing_hierarchies(char opts[][HIERARCHY_OPTS], size_t max) {
	char line[256];
	size_t n = 0;
	FILE *f = fopen("/proc/self/cgroup", "re");

	while (f && n < max && fgets(line, sizeof line, f)) {
		char *ctl = strchr(line, ':'), *end = ctl ? strchr(ctl + 1, ':') : NULL;
		if (!end || atoi(line) == 0 || end == ctl + 1)
			continue; /* the cgroup2 entry ("0::/"), or a malformed line */
		*end = 0;
		snprintf(opts[n++], HIERARCHY_OPTS, "%s%s", strncmp(ctl + 1, "name=", 5) ? "" : "none,", ctl + 1);
	}
	if (f)
		fclose(f);
	return n;
}

/*
 * The same without a new user or cgroup namespace: with CAP_SYS_ADMIN over the host's user
 * namespace (no userns-remap) and the host's cgroup namespace, a mounted hierarchy shows its root,
 * whose release_agent the kernel lets that process write: the release_agent escape that the
 * CVE-2022-0492 fix leaves open. Stages: 1 unshare(NS), 2 make mounts private, 3 mount, 4 access.
 */
static struct child_report release_agent_in_place_child(void *arg) {
	char opts[MAX_HIERARCHIES][HIERARCHY_OPTS];
	const char *list[MAX_HIERARCHIES];
	size_t n = existing_hierarchies(opts, MAX_HIERARCHIES);

	(void)arg;
	for (size_t i = 0; i < n; i++)
		list[i] = opts[i];
	if (unshare(CLONE_NEWNS) < 0)
		return (struct child_report){1, errno};
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return (struct child_report){2, errno};
	return try_release_agents(list, n, 3);
}

/* CVE-2022-0185: a user namespace with its own mount namespace, then fsopen(). Stages 1, 2. */
static struct child_report fsopen_child(void *arg) {
	(void)arg;
	if (unshare(CLONE_NEWUSER | CLONE_NEWNS) < 0)
		return (struct child_report){1, errno};
	long fd = syscall(SYS_fsopen, "cgroup2", 1 /* FSOPEN_CLOEXEC */);
	if (fd < 0)
		return (struct child_report){2, errno};
	close((int)fd);
	return (struct child_report){2, 0};
}

/*
 * PTRACE_ATTACH to a sibling (not our child) that made itself non-dumpable: only CAP_SYS_PTRACE
 * over its user namespace allows that. On success the attach is undone at once.
 */
static struct child_report ptrace_child(void *arg) {
	pid_t target = *(pid_t *)arg;
	if (ptrace(PTRACE_ATTACH, target, NULL, NULL) < 0)
		return (struct child_report){1, errno};
	waitpid(target, NULL, __WALL);
	ptrace(PTRACE_DETACH, target, NULL, NULL);
	return (struct child_report){1, 0};
}

int ptrace_probe(void) {
	int ready[2];
	char c;

	if (pipe2(ready, O_CLOEXEC) < 0)
		return errno;
	fflush(stdout);
	pid_t sibling = fork();
	if (sibling == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		prctl(PR_SET_DUMPABLE, 0);
		close(ready[0]);
		_exit(write(ready[1], "r", 1) == 1 ? (sleep(CHILD_TIMEOUT_MS / 1000), 0) : 1);
	}
	close(ready[1]);
	int err = sibling < 0 ? errno : read(ready[0], &c, 1) == 1 ? in_child(ptrace_child, &sibling).err : EPIPE;
	close(ready[0]);
	if (sibling > 0) {
		kill(sibling, SIGKILL);
		waitpid(sibling, NULL, 0);
	}
	return err;
}

static void emit_stage(const char *key, struct child_report r) {
	json_open(key, '{');
	json_int("stage", r.stage);
	json_int("errno", r.err);
	json_close('}');
}

int unshare_user_probe(void) { return in_child(unshare_user_child, NULL).err; }

void emit_experiments(void) {
	emit_stage("release_agent", in_child(release_agent_child, NULL));
	emit_stage("release_agent_in_place", in_child(release_agent_in_place_child, NULL));
	emit_stage("userns_fsopen", in_child(fsopen_child, NULL));
}
