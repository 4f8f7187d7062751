/*
 * The security facts of `probe facts` (contract: probes/README.md, "security"). Included by
 * probe.c (one translation unit: it shares the static JSON writer) and emitted as one object.
 *
 * Every observation is the *precondition*, never the effect: each dangerous syscall is called
 * with arguments the kernel rejects before doing anything (an invalid magic, a missing path, a
 * NULL attribute, flags it cannot accept), so the answer is only *who* refused: EPERM/EACCES/
 * ENOSYS from a seccomp filter or a missing capability, or the argument error that shows the
 * syscall was reachable. Namespace experiments run in a forked child that exits; nothing is
 * written to a sysctl, a cgroup file or a device.
 */
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/swap.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sched.h>

#define MAX_FDS 64
#define MAX_DEV_ENTRIES 512
#define MAX_BLOCK_DEVS 32
#define MAX_DIR_ENTRIES 64
#define MAX_WALK_UP 256
#define MISSING_PATH "/isoprobe-nonexistent-path"
#define TMPFS_MAGIC_ 0x01021994
#ifndef KEY_SPEC_PROCESS_KEYRING
#define KEY_SPEC_PROCESS_KEYRING -2
#endif

static const char *const MASKED_PATHS[] = {"/proc/kcore", "/proc/keys", "/proc/timer_list", "/proc/sched_debug",
	"/proc/latency_stats", "/proc/scsi", "/proc/acpi", "/sys/firmware", "/sys/devices/virtual/powercap"};
static const char *const READONLY_PATHS[] = {"/proc/sys", "/proc/sysrq-trigger", "/proc/irq", "/proc/bus"};
static const char *const HOST_DEVICES[] = {"/dev/mem", "/dev/kmem", "/dev/port"};
static const char *const RUNTIME_SOCKETS[] = {"/var/run/docker.sock", "/run/docker.sock",
	"/run/containerd/containerd.sock", "/var/run/crio/crio.sock", "/run/podman/podman.sock"};
/* A harmless sysctl, opened for writing and closed at once: nothing is ever written. */
#define PROBE_SYSCTL "/proc/sys/kernel/domainname"

static int err_of(long r) { return r < 0 ? errno : 0; }

/* ---------------------------------------------------------------- forked experiments */

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
	int fd, n, ok = 1;

	fd = open("/proc/self/setgroups", O_WRONLY | O_CLOEXEC);
	if (fd >= 0) {
		ok = write(fd, "deny", 4) == 4;
		close(fd);
	}
	const char *files[] = {"/proc/self/uid_map", "/proc/self/gid_map"};
	unsigned ids[] = {uid, gid};
	for (int i = 0; i < 2 && ok; i++) {
		n = snprintf(buf, sizeof buf, "0 %u 1\n", ids[i]);
		fd = open(files[i], O_WRONLY | O_CLOEXEC);
		ok = fd >= 0 && write(fd, buf, n) == n;
		if (fd >= 0)
			close(fd);
	}
	return ok ? 0 : -1;
}

/*
 * Mounts each cgroup v1 controller in turn on the first directory of /tmp, /mnt, /dev, / and asks
 * access(W_OK) of the hierarchy's release_agent (only a hierarchy's root has one). Returns
 * {mount_stage, errno} when no hierarchy could be mounted, else {mount_stage + 1, errno of the
 * best attempt} (0 = a writable release_agent). Runs in a child's private mount namespace.
 */
static struct child_report release_agent_mounts(int mount_stage) {
	static const char *const controllers[] = {"rdma", "pids", "memory", "cpu", "freezer", "devices", "blkio", "net_cls", "perf_event", "cpuset", "hugetlb"};
	static const char *const mountpoints[] = {"/tmp", "/mnt", "/dev", "/"};
	struct stat st;
	const char *where = NULL;
	char path[64];

	for (size_t i = 0; !where && i < sizeof mountpoints / sizeof *mountpoints; i++)
		if (stat(mountpoints[i], &st) == 0 && S_ISDIR(st.st_mode))
			where = mountpoints[i];
	struct child_report best = {mount_stage, ENOENT};
	snprintf(path, sizeof path, "%s/release_agent", strcmp(where ? where : "/", "/") ? where : "");
	for (size_t i = 0; where && i < sizeof controllers / sizeof *controllers; i++) {
		if (mount("cgroup", where, "cgroup", MS_NOSUID | MS_NODEV | MS_NOEXEC, controllers[i]) < 0) {
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
 * A hierarchy mounted from inside a cgroup namespace shows the namespace's root: only one the
 * container was not placed in (its root is the hierarchy's) has a release_agent.
 */
static struct child_report release_agent_child(void *arg) {
	uid_t uid = geteuid();
	gid_t gid = getegid();

	(void)arg;
	if (unshare(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWCGROUP) < 0)
		return (struct child_report){1, errno};
	if (map_self_root(uid, gid) < 0)
		return (struct child_report){2, errno};
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return (struct child_report){3, errno};
	return release_agent_mounts(4);
}

/*
 * The same without new user and cgroup namespaces: a container with CAP_SYS_ADMIN, no seccomp or
 * LSM refusal of mount, in the host's cgroup namespace (Docker on cgroup v1) mounts the hierarchy's
 * real root (the textbook --privileged escape). Stages: 1 unshare(NS), 2 private, 3 mount, 4 access.
 */
static struct child_report release_agent_direct_child(void *arg) {
	(void)arg;
	if (unshare(CLONE_NEWNS) < 0)
		return (struct child_report){1, errno};
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return (struct child_report){2, errno};
	return release_agent_mounts(3);
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

static int ptrace_probe(void) {
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

/* ---------------------------------------------------------------- syscalls */

/* Only in a mount namespace proven not to be the host's: /tmp could be the host's own. */
static void emit_mknod_block(const struct facts_opts *o) {
	const char *refused = host_ns_refusal(o, "mnt");
	char path[64];
	int open_err = -1;

	snprintf(path, sizeof path, "/tmp/isoprobe-blk-%d", (int)getpid());
	int err = refused ? 0 : err_of(mknod(path, S_IFBLK | 0600, makedev(7, 0)));
	if (!err) {
		/* Opening a block device is what the devices cgroup refuses; nothing is read. */
		int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
		open_err = fd < 0 ? errno : 0;
		if (fd >= 0)
			close(fd);
		unlink(path);
	}
	json_open("mknod_block", '{');
	json_str("path", path);
	json_int("errno", err);
	json_int("open_errno", open_err);
	json_str("refused", refused);
	json_close('}');
}

static void emit_syscalls(const struct facts_opts *o) {
	json_open("syscalls", '{');
	json_int("keyctl", err_of(syscall(SYS_keyctl, 0 /* KEYCTL_GET_KEYRING_ID */, 0 /* no such key */, 0)));
	json_int("add_key", err_of(syscall(SYS_add_key, "user", "" /* empty description: EINVAL */, NULL, 0, KEY_SPEC_PROCESS_KEYRING)));
	json_int("bpf", err_of(syscall(SYS_bpf, 0 /* BPF_MAP_CREATE */, NULL, 0)));
	json_int("open_by_handle_at", err_of(syscall(SYS_open_by_handle_at, -1, NULL, O_RDONLY)));
	/* Unknown flag bit and too many segments: EINVAL before anything is loaded or unloaded. */
	json_int("kexec_load", err_of(syscall(SYS_kexec_load, 0UL, 17UL, NULL, 0x8000UL)));
	json_int("init_module", err_of(syscall(SYS_init_module, NULL, 0UL, "")));
	json_int("mount", err_of(mount("isoprobe", MISSING_PATH, "tmpfs", MS_RDONLY, NULL)));
	json_int("umount2", err_of(umount2(MISSING_PATH, 0)));
	json_int("swapon", err_of(swapon(MISSING_PATH, 0)));
	json_int("reboot", err_of(syscall(SYS_reboot, 0, 0, 0, NULL))); /* magic 0: EINVAL */
	json_int("io_uring_setup", err_of(syscall(SYS_io_uring_setup, 0, NULL)));
	json_int("perf_event_open", err_of(syscall(SYS_perf_event_open, NULL, 0, -1, -1, 0)));
	json_int("unshare_user", in_child(unshare_user_child, NULL).err);
	json_int("ptrace_attach", ptrace_probe());
	json_close('}');
	emit_mknod_block(o);
}

/* ---------------------------------------------------------------- paths */

static long long fs_type(const char *path) {
	struct statfs s;
	return statfs(path, &s) == 0 ? (long long)s.f_type : -1;
}

static int is_rdonly(const char *path) {
	struct statvfs v;
	return statvfs(path, &v) == 0 ? (v.f_flag & ST_RDONLY) != 0 : -1;
}

static int count_entries(const char *path) {
	DIR *d = opendir(path);
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while (n < MAX_DIR_ENTRIES && (e = readdir(d)))
		n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	closedir(d);
	return n;
}

/* {path, errno, mode, rdev "maj:min", fs_type, rdonly, entries}: how a masked path is masked. */
static void emit_path_stat(const char *path) {
	struct stat st;
	char rdev[32] = "";
	int err = lstat(path, &st) < 0 ? errno : 0;

	json_open(NULL, '{');
	json_str("path", path);
	json_int("errno", err);
	if (!err) {
		snprintf(rdev, sizeof rdev, "%u:%u", major(st.st_rdev), minor(st.st_rdev));
		json_int("mode", st.st_mode);
		json_str("rdev", rdev);
		json_int("fs_type", fs_type(path));
		json_int("rdonly", is_rdonly(path));
		json_int("entries", S_ISDIR(st.st_mode) ? count_entries(path) : -1);
	}
	json_close('}');
}

static void emit_paths(void) {
	int fd;

	json_open("masked", '[');
	for (size_t i = 0; i < sizeof MASKED_PATHS / sizeof *MASKED_PATHS; i++)
		emit_path_stat(MASKED_PATHS[i]);
	json_close(']');
	json_open("readonly", '[');
	for (size_t i = 0; i < sizeof READONLY_PATHS / sizeof *READONLY_PATHS; i++)
		emit_path_stat(READONLY_PATHS[i]);
	json_close(']');
	fd = open(PROBE_SYSCTL, O_WRONLY | O_CLOEXEC); /* opened, never written */
	json_open("sysctl_write", '{');
	json_str("path", PROBE_SYSCTL);
	json_int("errno", fd < 0 ? errno : 0);
	json_close('}');
	if (fd >= 0)
		close(fd);
	json_open("sys", '{');
	json_int("access_errno", err_of(access("/sys", W_OK)));
	json_int("rdonly", is_rdonly("/sys"));
	json_close('}');
}

/* ---------------------------------------------------------------- devices and sockets */

static void emit_devices(void) {
	struct stat st;
	char path[PATH_MAX];
	int scanned = 0, n_block = 0;
	DIR *d = opendir("/dev");
	struct dirent *e;

	json_open("devices", '{');
	json_open("host", '[');
	for (size_t i = 0; i < sizeof HOST_DEVICES / sizeof *HOST_DEVICES; i++)
		emit_result(NULL, "path", HOST_DEVICES[i], 0, lstat(HOST_DEVICES[i], &st) < 0 ? errno : 0);
	json_close(']');
	json_open("block", '[');
	while (d && scanned < MAX_DEV_ENTRIES && n_block < MAX_BLOCK_DEVS && (e = readdir(d))) {
		scanned++;
		snprintf(path, sizeof path, "/dev/%s", e->d_name);
		if (lstat(path, &st) == 0 && S_ISBLK(st.st_mode)) {
			json_str(NULL, path);
			n_block++;
		}
	}
	json_close(']');
	json_int("dev_errno", d ? 0 : errno);
	if (d)
		closedir(d);
	json_close('}');
}

static void emit_runtime_sockets(void) {
	struct stat st;
	json_open("runtime_sockets", '[');
	for (size_t i = 0; i < sizeof RUNTIME_SOCKETS / sizeof *RUNTIME_SOCKETS; i++) {
		const char *p = RUNTIME_SOCKETS[i];
		struct sockaddr_un sun = {.sun_family = AF_UNIX};
		int exists = lstat(p, &st) == 0, err = ENOENT;
		if (exists) {
			int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
			snprintf(sun.sun_path, sizeof sun.sun_path, "%s", p);
			err = bounded_connect(fd, (struct sockaddr *)&sun, sizeof sun);
			if (fd >= 0)
				close(fd);
		}
		json_open(NULL, '{');
		json_str("path", p);
		json_bool("exists", exists);
		json_int("connect_errno", err);
		json_close('}');
	}
	json_close(']');
}

/* ---------------------------------------------------------------- fds and cwd (CVE-2024-21626) */

/*
 * Walks ".." from a directory: the kernel stops ".." at our root, so a directory inside the root
 * reaches it, while one outside reaches the top of another tree (where ".." is itself). 1 inside,
 * 0 outside, -1 unknown.
 */
static int dir_inside_root(int dirfd) {
	struct stat root, cur, up;
	int fd = dup(dirfd), inside = -1;

	if (fd < 0 || stat("/", &root) < 0)
		goto out;
	for (int i = 0; i < MAX_WALK_UP && fstat(fd, &cur) == 0; i++) {
		if (cur.st_dev == root.st_dev && cur.st_ino == root.st_ino) {
			inside = 1;
			break;
		}
		int next = openat(fd, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (next < 0 || fstat(next, &up) < 0) {
			if (next >= 0)
				close(next);
			break;
		}
		close(fd);
		fd = next;
		if (up.st_dev == cur.st_dev && up.st_ino == cur.st_ino) {
			inside = 0;
			break;
		}
	}
out:
	if (fd >= 0)
		close(fd);
	return inside;
}

/* A non-directory with a path: inside if that path, resolved from our root, is the same file. */
static int file_inside_root(int fd, const char *link) {
	struct stat a, b;
	if (link[0] != '/')
		return 1; /* pipe:[..], socket:[..], anon_inode:[..]: no path to reach anything */
	if (fstat(fd, &a) < 0)
		return -1;
	return stat(link, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

static void emit_fds(void) {
	char path[64], link[PATH_MAX];
	struct stat st;
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	json_open("fds", '[');
	while (d && n < MAX_FDS && (e = readdir(d))) {
		int fd = atoi(e->d_name);
		if (!is_pid_name(e->d_name) || fd < 3 || fd == dirfd(d))
			continue;
		snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
		ssize_t len = readlink(path, link, sizeof link - 1);
		link[len < 0 ? 0 : len] = 0;
		int is_dir = fstat(fd, &st) == 0 && S_ISDIR(st.st_mode);
		json_open(NULL, '{');
		json_int("fd", fd);
		json_str("target", link);
		json_int("inside_root", is_dir ? dir_inside_root(fd) : file_inside_root(fd, link));
		json_close('}');
		n++;
	}
	json_close(']');
	json_int("fds_errno", d ? 0 : errno);
	if (d)
		closedir(d);
}

static void emit_cwd(void) {
	char buf[PATH_MAX];
	int fd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	const char *cwd = getcwd(buf, sizeof buf);

	json_open("cwd", '{');
	json_str("path", cwd);
	json_int("errno", cwd ? 0 : errno);
	json_int("inside_root", fd >= 0 ? dir_inside_root(fd) : -1);
	json_close('}');
	if (fd >= 0)
		close(fd);
}

/* ---------------------------------------------------------------- the object */

static void emit_stage(const char *key, struct child_report r) {
	json_open(key, '{');
	json_int("stage", r.stage);
	json_int("errno", r.err);
	json_close('}');
}

static void emit_security(const struct facts_opts *o) {
	json_open("security", '{');
	emit_syscalls(o);
	emit_paths();
	emit_devices();
	emit_runtime_sockets();
	emit_fds();
	emit_cwd();
	emit_stage("release_agent", in_child(release_agent_child, NULL));
	emit_stage("release_agent_direct", in_child(release_agent_direct_child, NULL));
	emit_stage("userns_fsopen", in_child(fsopen_child, NULL));
	json_close('}');
}
