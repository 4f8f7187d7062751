/*
 * The security facts of `probe facts` (contract: probes/README.md, "security"), emitted as one
 * object.
 *
 * Every observation is the *precondition*, never the effect: each dangerous syscall is called
 * with arguments the kernel rejects before doing anything (an invalid magic, a missing path, a
 * NULL attribute, flags it cannot accept), so the answer is only *who* refused: EPERM/EACCES/
 * ENOSYS from a seccomp filter or a missing capability, or the argument error that shows the
 * syscall was reachable. The namespace experiments, each in a forked child, are experiments.c;
 * nothing is written to a sysctl, a cgroup file or a device.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/swap.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <unistd.h>

#include "probe.h"

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

static const char *const MASKED_PATHS[] = {"/proc/kcore",       "/proc/keys",          "/proc/timer_list",
					   "/proc/sched_debug", "/proc/latency_stats", "/proc/scsi",
					   "/proc/acpi",        "/sys/firmware",       "/sys/devices/virtual/powercap"};
static const char *const READONLY_PATHS[] = {"/proc/sys", "/proc/sysrq-trigger", "/proc/irq", "/proc/bus"};
static const char *const HOST_DEVICES[] = {"/dev/mem", "/dev/kmem", "/dev/port"};
static const char *const RUNTIME_SOCKETS[] = {"/var/run/docker.sock", "/run/docker.sock",
					      "/run/containerd/containerd.sock", "/var/run/crio/crio.sock",
					      "/run/podman/podman.sock"};
/* A harmless sysctl, opened for writing and closed at once: nothing is ever written. */
#define PROBE_SYSCTL "/proc/sys/kernel/domainname"

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
	json_int("add_key", err_of(syscall(SYS_add_key, "user", "" /* empty description: EINVAL */, NULL, 0,
					   KEY_SPEC_PROCESS_KEYRING)));
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
	json_int("unshare_user", unshare_user_probe());
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
	int err = lstat(path, &st) < 0 ? errno : 0;

	json_open(NULL, '{');
	json_str("path", path);
	json_int("errno", err);
	if (!err) {
		char rdev[32];
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

void emit_security(const struct facts_opts *o) {
	json_open("security", '{');
	emit_syscalls(o);
	emit_paths();
	emit_devices();
	emit_runtime_sockets();
	emit_fds();
	emit_cwd();
	emit_experiments();
	json_close('}');
}

/* ---------------------------------------------------------------- requested */

/* A sysctl's value as the container reads it: NAME with dots is /proc/sys/NAME with slashes. */
static void emit_sysctl(const char *name) {
	char path[PATH_MAX], buf[MAX_SYSCTL_BYTES + 1];
	ssize_t n = -1;
	int err, fd;

	snprintf(path, sizeof path, "/proc/sys/%s", name);
	for (char *c = path + sizeof "/proc/sys"; *c; c++)
		if (*c == '.')
			*c = '/';
	fd = open(path, O_RDONLY | O_CLOEXEC);
	err = fd < 0 ? errno : 0;
	if (fd >= 0) {
		do
			n = read(fd, buf, MAX_SYSCTL_BYTES);
		while (n < 0 && errno == EINTR);
		err = n < 0 ? errno : 0;
		close(fd);
	}
	json_open(NULL, '{');
	json_str("name", name);
	json_strn("text", buf, n > 0 ? (size_t)n : 0);
	json_int("errno", err);
	json_close('}');
}

/* What the target's runtime was asked for beyond the fixed lists above: its sysctls, its masked and read-only paths. */
void emit_requested(const struct facts_opts *o) {
	json_open("requested", '{');
	json_open("sysctls", '[');
	for (int i = 0; i < o->n_sysctls; i++)
		emit_sysctl(o->sysctls[i]);
	json_close(']');
	json_open("paths", '[');
	for (int i = 0; i < o->n_paths; i++)
		emit_path_stat(o->paths[i]);
	json_close(']');
	json_close('}');
}
