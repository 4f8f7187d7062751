/*
 * `probe facts`: the document, in its order (probes/README.md), and the plain observations of it
 * — ids, namespaces, /proc, raw kernel texts, interfaces, clocks, the root. The sentinels, write
 * tests, security and cgroupfs sections come from their own files. A failed observation is
 * recorded as its errno and never aborts the document.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <limits.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "probe.h"

#define MAX_IFACES 64
#define MAX_ADDRS 16
/* Deeper than any init → shim → workload chain; a loop (impossible in a sane /proc) ends here too. */
#define MAX_ANCESTRY 32

const char *const NAMESPACES[N_NAMESPACES] = {"pid", "mnt", "net", "uts", "ipc", "user", "time", "cgroup"};

/* Reads at most MAX_FILE_BYTES; one byte more tells whether the file was cut. */
static void emit_file(const char *key, const char *path) {
	static char buf[MAX_FILE_BYTES + 1];
	size_t len = 0;
	ssize_t n = 0;
	int err = 0, fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		err = errno;
	while (fd >= 0 && len < sizeof buf && (n = read(fd, buf + len, sizeof buf - len)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = errno;
			break;
		}
		len += n;
	}
	if (fd >= 0)
		close(fd);
	json_open(key, '{');
	json_strn("text", buf, len > MAX_FILE_BYTES ? MAX_FILE_BYTES : len);
	json_int("errno", err);
	json_bool("truncated", len > MAX_FILE_BYTES);
	json_close('}');
}

static void emit_nslink(const char *key, const char *file) {
	char path[64], link[128];
	snprintf(path, sizeof path, "/proc/self/ns/%s", file);
	ssize_t n = readlink(path, link, sizeof link - 1);
	json_open(key, '{');
	if (n < 0) {
		json_str("link", NULL);
		json_int("errno", errno);
	} else {
		json_strn("link", link, n);
		json_int("errno", 0);
	}
	json_close('}');
}

static void emit_namespaces(void) {
	json_open("ns", '{');
	for (size_t i = 0; i < N_NAMESPACES; i++)
		emit_nslink(NAMESPACES[i], NAMESPACES[i]);
	json_close('}');
	json_open("ns_for_children", '{');
	emit_nslink("pid", "pid_for_children");
	emit_nslink("time", "time_for_children");
	json_close('}');
}

int is_pid_name(const char *s) {
	if (!*s)
		return 0;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return 0;
	return 1;
}

int scan_cmdlines(char *buf, size_t size, int (*match)(const char *cmdline, size_t len, const char *arg),
		  const char *arg, int *scanned, int *dir_err) {
	DIR *d = opendir("/proc");
	struct dirent *e;
	int found = 0;

	*scanned = 0;
	*dir_err = d ? 0 : errno;
	while (d && !found && *scanned < MAX_PROC_ENTRIES && (e = readdir(d))) {
		char path[32];
		if (strlen(e->d_name) > 10 || !is_pid_name(e->d_name) || atoi(e->d_name) == getpid())
			continue;
		(*scanned)++;
		snprintf(path, sizeof path, "/proc/%.10s/cmdline", e->d_name);
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		ssize_t n = fd < 0 ? -1 : read(fd, buf, size - 1);
		if (fd >= 0)
			close(fd);
		if (n <= 0)
			continue;
		buf[n] = 0;
		if (match(buf, (size_t)n, arg))
			found = atoi(e->d_name);
	}
	if (d)
		closedir(d);
	return found;
}

static void emit_proc(void) {
	char self[32], want[32];
	int n_pids = 0, err = 0;
	DIR *d = opendir("/proc");
	struct dirent *e;

	json_open("proc_pids", '[');
	if (!d)
		err = errno;
	while (d && n_pids < MAX_PROC_ENTRIES && (e = readdir(d)))
		if (is_pid_name(e->d_name)) {
			json_int(NULL, atoll(e->d_name));
			n_pids++;
		}
	if (d)
		closedir(d);
	json_close(']');
	json_int("proc_errno", err);
	ssize_t n = readlink("/proc/self", self, sizeof self - 1);
	snprintf(want, sizeof want, "%d", getpid());
	json_bool("proc_self_stat_ok", n > 0 && (size_t)n == strlen(want) && !memcmp(self, want, n));
}

/*
 * The probe's ancestry inside its pid namespace: from itself, each process's parent read from
 * /proc/PID/stat, up to the one whose parent is 0 (outside this namespace: its init). The
 * namespace's own init, or the probe's descent from it (an init as PID 1, a pod's pause
 * container) is judged from this, not from the probe's own pid.
 */
static void emit_ancestry(void) {
	char path[64], buf[512];
	long long pid = getpid();

	json_open("ancestry", '[');
	for (int i = 0; i < MAX_ANCESTRY && pid > 0; i++) {
		long long ppid = -1;
		int fd, err = 0;
		ssize_t n = -1;

		errno = 0;
		snprintf(path, sizeof path, "/proc/%lld/stat", pid);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0 || (n = read(fd, buf, sizeof buf - 1)) <= 0)
			err = errno ? errno : EIO;
		if (fd >= 0)
			close(fd);
		/* "PID (COMM) STATE PPID ...": COMM may hold spaces and ')', so the last ')' ends it. */
		char *rp = n > 0 ? (buf[n] = 0, strrchr(buf, ')')) : NULL, *lp = n > 0 ? strchr(buf, '(') : NULL;
		if (!err && (!rp || !lp || sscanf(rp + 1, " %*c %lld", &ppid) != 1))
			err = EPROTO;
		json_open(NULL, '{');
		json_int("pid", pid);
		json_int("errno", err);
		if (!err) {
			json_int("ppid", ppid);
			json_strn("comm", lp + 1, (size_t)(rp - lp - 1));
		}
		json_close('}');
		if (err)
			break;
		pid = ppid;
	}
	json_close(']');
}

static void emit_files(void) {
	json_open("files", '{');
	emit_file("uid_map", "/proc/self/uid_map");
	emit_file("gid_map", "/proc/self/gid_map");
	emit_file("setgroups", "/proc/self/setgroups");
	emit_file("status", "/proc/self/status");
	emit_file("mountinfo", "/proc/self/mountinfo");
	emit_file("cgroup", "/proc/self/cgroup");
	emit_file("timens_offsets", "/proc/self/timens_offsets");
	emit_file("uptime", "/proc/uptime");
	emit_file("proc_mounts", "/proc/mounts");
	/* The rlimits the runtime set, and what "every capability" means on this kernel. */
	emit_file("limits", "/proc/self/limits");
	emit_file("cap_last_cap", "/proc/sys/kernel/cap_last_cap");
	/* The LSM label: attr/current is the first labelling LSM's; attr/apparmor/current (5.x stacking
	 * kernels) is AppArmor's even when another LSM owns attr/current. EINVAL/ENOENT: no such LSM. */
	emit_file("attr_current", "/proc/self/attr/current");
	emit_file("apparmor_current", "/proc/self/attr/apparmor/current");
	json_close('}');
}

static void emit_addr(const struct sockaddr *sa) {
	char text[INET6_ADDRSTRLEN];
	const void *a;

	if (!sa || (sa->sa_family != AF_INET && sa->sa_family != AF_INET6))
		return;
	a = sa->sa_family == AF_INET ? (const void *)&((const struct sockaddr_in *)sa)->sin_addr
				     : (const void *)&((const struct sockaddr_in6 *)sa)->sin6_addr;
	if (inet_ntop(sa->sa_family, a, text, sizeof text))
		json_str(NULL, text);
}

/* getifaddrs lists one entry per address; group them by interface, first-seen order. */
static void emit_interfaces(void) {
	struct ifaddrs *all, *i, *j;
	const char *seen[MAX_IFACES];
	int n_seen = 0, err = getifaddrs(&all) < 0 ? errno : 0;

	json_open("interfaces", '[');
	for (i = err ? NULL : all; i && n_seen < MAX_IFACES; i = i->ifa_next) {
		int dup = 0, n_addrs = 0;
		for (int k = 0; k < n_seen; k++)
			dup |= !strcmp(seen[k], i->ifa_name);
		if (dup)
			continue;
		seen[n_seen++] = i->ifa_name;
		json_open(NULL, '{');
		json_str("name", i->ifa_name);
		json_int("index", if_nametoindex(i->ifa_name));
		json_int("flags", i->ifa_flags);
		json_open("addrs", '[');
		for (j = i; j && n_addrs < MAX_ADDRS; j = j->ifa_next)
			if (!strcmp(j->ifa_name, i->ifa_name) && j->ifa_addr &&
			    (j->ifa_addr->sa_family == AF_INET || j->ifa_addr->sa_family == AF_INET6)) {
				emit_addr(j->ifa_addr);
				n_addrs++;
			}
		json_close(']');
		json_close('}');
	}
	json_close(']');
	json_int("interfaces_errno", err);
	if (!err)
		freeifaddrs(all);
}

static const struct {
	const char *name;
	clockid_t id;
} clocks[] = {{"realtime", CLOCK_REALTIME}, {"monotonic", CLOCK_MONOTONIC}, {"boottime", CLOCK_BOOTTIME}};
#define N_CLOCKS (sizeof clocks / sizeof clocks[0])

struct clock_readings {
	struct timespec ts[N_CLOCKS];
	int ok[N_CLOCKS];
};

/*
 * The first act once released: the host reads its clocks just before the release and just after
 * the exit, and the time checks need this reading between the two, however long the rest takes.
 */
static void read_clocks(struct clock_readings *r) {
	for (size_t i = 0; i < N_CLOCKS; i++)
		r->ok[i] = clock_gettime(clocks[i].id, &r->ts[i]) == 0;
}

static void emit_clocks(const struct clock_readings *r) {
	json_open("clocks", '{');
	for (size_t i = 0; i < N_CLOCKS; i++)
		if (r->ok[i])
			json_timespec(clocks[i].name, &r->ts[i]);
		else
			json_str(clocks[i].name, NULL);
	json_close('}');
}

static void emit_root(void) {
	struct stat r, p;
	int err = stat("/", &r) < 0 || stat("/..", &p) < 0 ? errno : 0;

	json_open("root", '{');
	json_int("dev", err ? 0 : (long long)r.st_dev);
	json_int("ino", err ? 0 : (long long)r.st_ino);
	json_int("parent_dev", err ? 0 : (long long)p.st_dev);
	json_int("parent_ino", err ? 0 : (long long)p.st_ino);
	json_int("errno", err);
	json_close('}');
}

int cmd_facts(int argc, char **argv) {
	struct facts_opts o = {0};
	struct clock_readings clk;
	char hostname[HOST_NAME_MAX + 1] = "";
	int rc = parse_facts_opts(argc, argv, &o);

	if (rc)
		return rc;
	if (o.wait_stdin && wait_for_stdin_byte() < 0)
		return EXIT_NO_GO;
	read_clocks(&clk);
	json_open(NULL, '{');
	json_int("schema", SCHEMA);
	json_str("kind", "facts");
	json_int("pid", getpid());
	json_int("ppid", getppid());
	json_int("uid", getuid());
	json_int("gid", getgid());
	json_int("euid", geteuid());
	emit_namespaces();
	/* Read before the sethostname test below changes it. */
	json_str("hostname", gethostname(hostname, sizeof hostname - 1) == 0 ? hostname : NULL);
	emit_proc();
	emit_ancestry();
	emit_files();
	emit_interfaces();
	emit_clocks(&clk);
	emit_root();
	emit_sentinels(&o);
	emit_security(&o);
	emit_agent(&o);
	emit_cgroupfs(&o);
	emit_cgroup_leave(&o);
	emit_requested(&o);
	json_close('}');
	putchar('\n');
	return 0;
}
