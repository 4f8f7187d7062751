/*
 * probe: the in-container helper. The contract (options, output, exit codes) is probes/README.md.
 *
 * One static binary, one subcommand per behaviour, in the style of crun's tests/init.c: a table
 * of {name, usage, handler}. Exit 0: the JSON document was printed; 2: usage error; 3: the
 * subcommand cannot run here. Every loop and wait is bounded, every failed observation is
 * recorded as its errno and never aborts the document, and nothing is written to host state:
 * the two write tests (sethostname, mount) only run in a namespace proven to differ from the
 * host's by inode, and the files they touch are the probe's own.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <limits.h>
#include <mqueue.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/mount.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define SCHEMA 1
#define EXIT_USAGE 2
#define EXIT_UNSUPPORTED 3
#define EXIT_NO_GO 4

#define MAX_PROC_ENTRIES 4096
#define MAX_FILE_BYTES (64 * 1024)
#define MAX_CMDLINE_BYTES 8192
#define MAX_MARKERS 16
#define MAX_HOST_NS 16
#define MAX_IFACES 64
#define MAX_ADDRS 16
#define CONNECT_TIMEOUT_MS 1000
#define CHILD_TIMEOUT_MS 2000
#define WAIT_STDIN_MS 30000
#define ESCAPE_DEPTH 64
#define MOUNT_DIR "/tmp/isoprobe-mnt"

static const char *const NAMESPACES[] = {"pid", "mnt", "net", "uts", "ipc", "user", "time", "cgroup"};
#define N_NAMESPACES (sizeof NAMESPACES / sizeof NAMESPACES[0])

/* ---------------------------------------------------------------- JSON writer (one line) */

static int depth;
static int need_comma[32];

static void json_raw_string(const char *s, size_t n);

/* Emits the separator and the key (NULL inside arrays) before any value. */
static void json_key(const char *key) {
	if (need_comma[depth])
		putchar(',');
	need_comma[depth] = 1;
	if (key) {
		json_raw_string(key, strlen(key));
		putchar(':');
	}
}

static void json_open(const char *key, char bracket) {
	json_key(key);
	putchar(bracket);
	need_comma[++depth] = 0;
}

static void json_close(char bracket) { depth--; putchar(bracket); }

/* Length of the valid UTF-8 sequence at s, 0 if the bytes are not valid UTF-8. */
static size_t utf8_len(const unsigned char *s, size_t n) {
	size_t len, i;
	uint32_t cp, min;

	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xe0) == 0xc0)
		len = 2, min = 0x80;
	else if ((s[0] & 0xf0) == 0xe0)
		len = 3, min = 0x800;
	else if ((s[0] & 0xf8) == 0xf0)
		len = 4, min = 0x10000;
	else
		return 0;
	if (len > n)
		return 0;
	cp = s[0] & (0x7f >> len);
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

/*
 * Kernel texts are bytes, JSON is UTF-8: control characters become \u00XX, and so does every
 * byte that is not valid UTF-8 (a mount point with a Latin-1 name, a sequence cut by the 64 KiB
 * cap), so the document always parses and the byte value stays readable.
 */
static void json_raw_string(const char *s, size_t n) {
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, len;

	putchar('"');
	while (i < n) {
		unsigned char c = p[i];
		if (c == '"' || c == '\\') {
			putchar('\\');
			putchar(c);
		} else if (c == '\n') {
			fputs("\\n", stdout);
		} else if (c == '\t') {
			fputs("\\t", stdout);
		} else if (c < 0x20 || (c >= 0x80 && utf8_len(p + i, n - i) == 0)) {
			printf("\\u%04x", c);
		} else {
			len = utf8_len(p + i, n - i);
			fwrite(p + i, 1, len, stdout);
			i += len;
			continue;
		}
		i++;
	}
	putchar('"');
}

static void json_strn(const char *key, const char *s, size_t n) { json_key(key); json_raw_string(s, n); }

static void json_str(const char *key, const char *s) {
	json_key(key);
	if (s)
		json_raw_string(s, strlen(s));
	else
		fputs("null", stdout);
}

static void json_int(const char *key, long long v) { json_key(key); printf("%lld", v); }

static void json_bool(const char *key, int v) { json_key(key); fputs(v ? "true" : "false", stdout); }

/* Seconds with nanoseconds, printed exactly from the timespec (no float rounding). */
static void json_timespec(const char *key, const struct timespec *ts) {
	json_key(key);
	printf("%lld.%09ld", (long long)ts->tv_sec, ts->tv_nsec);
}

/* ---------------------------------------------------------------- options */

struct host_ns {
	char name[16];
	unsigned long long ino;
};

struct facts_opts {
	struct sockaddr_storage tcp_addr;
	socklen_t tcp_len;
	const char *tcp, *abstract, *mq, *sentinel_argv, *set_hostname, *mount_nonce, *create_file;
	long long shm_key, msg_key, sem_key, kill_pid, bind_port;
	int has_shm, has_msg, has_sem, has_kill, has_bind, chroot_escape, wait_stdin;
	const char *markers[MAX_MARKERS];
	int n_markers;
	struct host_ns host_ns[MAX_HOST_NS];
	int n_host_ns;
};

static const char FACTS_USAGE[] =
	"facts [--tcp HOST:PORT] [--abstract NAME] [--shm-key K] [--msg-key K] [--sem-key K] [--mq /NAME]"
	" [--marker PATH]... [--host-pid PID] [--sentinel-argv STR] [--bind-port PORT]"
	" [--host-ns NAME:INO]... [--set-hostname NAME] [--mount-nonce STR] [--create-file PATH]"
	" [--chroot-escape] [--wait-stdin]";

static int usage_error(const char *usage, const char *why, const char *what) {
	fprintf(stderr, "probe: %s '%s'\nusage: probe %s\n", why, what, usage);
	return EXIT_USAGE;
}

static int parse_ll(const char *s, long long min, long long max, long long *out) {
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

static int known_namespace(const char *name, size_t n) {
	for (size_t i = 0; i < N_NAMESPACES; i++)
		if (strlen(NAMESPACES[i]) == n && strncmp(NAMESPACES[i], name, n) == 0)
			return 1;
	return 0;
}

/* "uts:4026531838" → one host_ns entry; -1 when malformed. */
static int parse_host_ns(struct facts_opts *o, const char *arg) {
	const char *colon = strchr(arg, ':');
	long long ino;

	if (!colon || o->n_host_ns >= MAX_HOST_NS || !known_namespace(arg, colon - arg))
		return -1;
	if (parse_ll(colon + 1, 1, LLONG_MAX, &ino) < 0)
		return -1;
	struct host_ns *h = &o->host_ns[o->n_host_ns++];
	snprintf(h->name, sizeof h->name, "%.*s", (int)(colon - arg), arg);
	h->ino = (unsigned long long)ino;
	return 0;
}

static const char *const VALUE_FLAGS[] = {"--tcp", "--abstract", "--mq", "--sentinel-argv", "--set-hostname",
	"--mount-nonce", "--create-file", "--shm-key", "--msg-key", "--sem-key", "--host-pid", "--bind-port",
	"--host-ns", "--marker"};

/* HOST:PORT with a numeric IPv4 host or a bracketed IPv6 one ("[::1]:80"); -1 if malformed. */
static int parse_tcp(struct facts_opts *o, const char *arg) {
	struct sockaddr_in *v4 = (struct sockaddr_in *)&o->tcp_addr;
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&o->tcp_addr;
	const char *colon = strrchr(arg, ':');
	char host[INET6_ADDRSTRLEN + 2];
	size_t hl = colon ? (size_t)(colon - arg) : 0;
	long long port;

	if (!colon || hl >= sizeof host || parse_ll(colon + 1, 1, 65535, &port) < 0)
		return -1;
	snprintf(host, sizeof host, "%.*s", (int)hl, arg);
	if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
		v4->sin_family = AF_INET;
		v4->sin_port = htons(port);
		o->tcp_len = sizeof *v4;
		return 0;
	}
	if (hl < 3 || host[0] != '[' || host[hl - 1] != ']')
		return -1;
	host[hl - 1] = 0;
	if (inet_pton(AF_INET6, host + 1, &v6->sin6_addr) != 1)
		return -1;
	v6->sin6_family = AF_INET6;
	v6->sin6_port = htons(port);
	o->tcp_len = sizeof *v6;
	return 0;
}

/* Options with a value: 0 when set, -1 when the value is missing or malformed, 1 if unknown. */
static int set_value_option(struct facts_opts *o, const char *flag, const char *v) {
	size_t known = 0;
	while (known < sizeof VALUE_FLAGS / sizeof VALUE_FLAGS[0] && strcmp(VALUE_FLAGS[known], flag))
		known++;
	if (known == sizeof VALUE_FLAGS / sizeof VALUE_FLAGS[0])
		return 1;
	if (!v)
		return -1;
	if (!strcmp(flag, "--tcp")) return o->tcp = v, parse_tcp(o, v);
	else if (!strcmp(flag, "--abstract")) o->abstract = v;
	else if (!strcmp(flag, "--mq")) o->mq = v;
	else if (!strcmp(flag, "--sentinel-argv")) o->sentinel_argv = v;
	else if (!strcmp(flag, "--set-hostname")) o->set_hostname = v;
	else if (!strcmp(flag, "--mount-nonce")) o->mount_nonce = v;
	else if (!strcmp(flag, "--create-file")) o->create_file = v;
	else if (!strcmp(flag, "--shm-key")) return o->has_shm = 1, parse_ll(v, INT32_MIN, UINT32_MAX, &o->shm_key);
	else if (!strcmp(flag, "--msg-key")) return o->has_msg = 1, parse_ll(v, INT32_MIN, UINT32_MAX, &o->msg_key);
	else if (!strcmp(flag, "--sem-key")) return o->has_sem = 1, parse_ll(v, INT32_MIN, UINT32_MAX, &o->sem_key);
	else if (!strcmp(flag, "--host-pid")) return o->has_kill = 1, parse_ll(v, 1, INT32_MAX, &o->kill_pid);
	else if (!strcmp(flag, "--bind-port")) return o->has_bind = 1, parse_ll(v, 0, 65535, &o->bind_port);
	else if (!strcmp(flag, "--host-ns")) return parse_host_ns(o, v);
	else if (!strcmp(flag, "--marker")) {
		if (o->n_markers >= MAX_MARKERS)
			return -1;
		o->markers[o->n_markers++] = v;
	}
	return 0;
}

static int parse_facts_opts(int argc, char **argv, struct facts_opts *o) {
	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--chroot-escape")) {
			o->chroot_escape = 1;
			continue;
		}
		if (!strcmp(argv[i], "--wait-stdin")) {
			o->wait_stdin = 1;
			continue;
		}
		int r = set_value_option(o, argv[i], i + 1 < argc ? argv[i + 1] : NULL);
		if (r > 0)
			return usage_error(FACTS_USAGE, "unknown option", argv[i]);
		if (r < 0)
			return usage_error(FACTS_USAGE, i + 1 < argc ? "bad value for" : "missing value for", argv[i]);
		i++;
	}
	if (o->mq && o->mq[0] != '/')
		return usage_error(FACTS_USAGE, "--mq NAME must start with '/':", o->mq);
	return 0;
}

/* ---------------------------------------------------------------- observations */

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

static int is_pid_name(const char *s) {
	if (!*s)
		return 0;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return 0;
	return 1;
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

static void emit_clocks(void) {
	static const struct { const char *name; clockid_t id; } clocks[] = {
		{"realtime", CLOCK_REALTIME}, {"monotonic", CLOCK_MONOTONIC}, {"boottime", CLOCK_BOOTTIME}};
	struct timespec ts;

	json_open("clocks", '{');
	for (size_t i = 0; i < sizeof clocks / sizeof clocks[0]; i++)
		if (clock_gettime(clocks[i].id, &ts) == 0)
			json_timespec(clocks[i].name, &ts);
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

/* ---------------------------------------------------------------- sentinels */

/* Non-blocking connect bounded by poll, so an unreachable (dropping) target costs ≤ 1 s. */
static int bounded_connect(int fd, const struct sockaddr *sa, socklen_t len) {
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
static void emit_result(const char *key, const char *field, const char *str, long long num, int err) {
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
	static char buf[MAX_CMDLINE_BYTES];
	DIR *d = opendir("/proc");
	struct dirent *e;
	int scanned = 0, found = 0;

	while (d && !found && scanned < MAX_PROC_ENTRIES && (e = readdir(d))) {
		char path[32];
		if (strlen(e->d_name) > 10 || !is_pid_name(e->d_name) || atoi(e->d_name) == getpid())
			continue;
		scanned++;
		snprintf(path, sizeof path, "/proc/%.10s/cmdline", e->d_name);
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof buf);
		if (fd >= 0)
			close(fd);
		found = n > 0 && cmdline_has(buf, n, needle);
	}
	if (d)
		closedir(d);
	json_open("sentinel_argv", '{');
	json_str("needle", needle);
	json_bool("found", found);
	json_int("scanned", scanned);
	json_close('}');
}

/* ---------------------------------------------------------------- write tests */

static const char *host_ns_refusal(const struct facts_opts *o, const char *ns) {
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
	int err = ready == 0 ? ETIMEDOUT : ready < 0 ? errno : read(rfd, r, sizeof *r) == (ssize_t)sizeof *r ? 0 : EPIPE;

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

/* The security facts and the enforcement subcommands live in their own files (same unit). */
#include "security.c"
#include "enforce.c"
#include "cgroupfs.c"

/* ---------------------------------------------------------------- subcommands */

static void emit_sentinels(const struct facts_opts *o) {
	struct stat st;
	const char *refused;

	json_open("sentinels", '{');
	if (o->tcp) emit_result("tcp", "target", o->tcp, 0, tcp_probe(o));
	if (o->abstract) emit_result("abstract", "target", o->abstract, 0, abstract_probe(o->abstract));
	if (o->has_shm) emit_result("shm", "key", NULL, o->shm_key, shmget((key_t)o->shm_key, 0, 0) < 0 ? errno : 0);
	if (o->has_msg) emit_result("msg", "key", NULL, o->msg_key, msgget((key_t)o->msg_key, 0) < 0 ? errno : 0);
	if (o->has_sem) emit_result("sem", "key", NULL, o->sem_key, semget((key_t)o->sem_key, 0, 0) < 0 ? errno : 0);
	if (o->mq) emit_result("mq", "name", o->mq, 0, mq_probe(o->mq));
	if (o->n_markers) {
		json_open("markers", '[');
		for (int i = 0; i < o->n_markers; i++)
			emit_result(NULL, "path", o->markers[i], 0, stat(o->markers[i], &st) < 0 ? errno : 0);
		json_close(']');
	}
	if (o->has_kill) emit_result("kill", "pid", NULL, o->kill_pid, kill((pid_t)o->kill_pid, 0) < 0 ? errno : 0);
	if (o->sentinel_argv) emit_sentinel_argv(o->sentinel_argv);
	if (o->has_bind) emit_result("bind_port", "port", NULL, o->bind_port, bind_probe((int)o->bind_port));
	if (o->set_hostname) {
		refused = host_ns_refusal(o, "uts");
		int err = refused ? 0 : sethostname(o->set_hostname, strlen(o->set_hostname)) < 0 ? errno : 0;
		emit_guarded("set_hostname", "name", o->set_hostname, refused, err);
	}
	if (o->mount_nonce) {
		refused = host_ns_refusal(o, "mnt");
		emit_guarded("mount", "nonce", o->mount_nonce, refused, refused ? 0 : mount_probe(o->mount_nonce));
	}
	if (o->create_file) emit_result("create_file", "path", o->create_file, 0, create_probe(o->create_file));
	if (o->chroot_escape) emit_chroot_escape(o);
	json_close('}');
}

/*
 * --wait-stdin: a runtime that cannot hold the container between set-up and exec (Docker,
 * `runc run`) holds the probe here instead, so the host can observe its namespaces, id maps and
 * cgroup while it is alive; the facts are gathered in milliseconds once the byte arrives.
 * 0 when the byte came; otherwise a one-line reason on stderr.
 */
static int wait_for_stdin_byte(void) {
	struct pollfd p = {.fd = STDIN_FILENO, .events = POLLIN};
	char c;
	int r;

	do
		r = poll(&p, 1, WAIT_STDIN_MS);
	while (r < 0 && errno == EINTR);
	if (r == 0) {
		fprintf(stderr, "probe: --wait-stdin: no byte on stdin within %d ms\n", WAIT_STDIN_MS);
		return -1;
	}
	ssize_t n = r < 0 ? -1 : read(STDIN_FILENO, &c, 1);
	if (n != 1) {
		fprintf(stderr, "probe: --wait-stdin: %s before the byte\n", n == 0 ? "end of stdin" : strerror(errno));
		return -1;
	}
	return 0;
}

static int cmd_facts(int argc, char **argv) {
	struct facts_opts o = {0};
	char hostname[HOST_NAME_MAX + 1] = "";
	int rc = parse_facts_opts(argc, argv, &o);

	if (rc)
		return rc;
	if (o.wait_stdin && wait_for_stdin_byte() < 0)
		return EXIT_NO_GO;
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
	emit_files();
	emit_interfaces();
	emit_clocks();
	emit_root();
	emit_sentinels(&o);
	emit_security(&o);
	emit_cgroupfs(&o);
	emit_cgroup_leave(&o);
	json_close('}');
	putchar('\n');
	return 0;
}

static int cmd_true(int argc, char **argv) {
	(void)argv;
	if (argc > 0)
		return usage_error("true", "unexpected argument", argv[0]);
	printf("{\"schema\":%d,\"kind\":\"true\"}\n", SCHEMA);
	return 0;
}

static int cmd_help(int argc, char **argv);

static const struct subcommand {
	const char *name, *usage;
	int (*handler)(int argc, char **argv);
} SUBCOMMANDS[] = {
	{"facts", FACTS_USAGE, cmd_facts},
	{"true", "true", cmd_true},
	{"forkbomb", FORKBOMB_USAGE, cmd_forkbomb},
	{"memhog", MEMHOG_USAGE, cmd_memhog},
	{"cpuburn", CPUBURN_USAGE, cmd_cpuburn},
	{"help", "help", cmd_help},
};
#define N_SUBCOMMANDS (sizeof SUBCOMMANDS / sizeof SUBCOMMANDS[0])

static void print_usage(FILE *f) {
	for (size_t i = 0; i < N_SUBCOMMANDS; i++)
		fprintf(f, "%s probe %s\n", i ? "      " : "usage:", SUBCOMMANDS[i].usage);
}

static int cmd_help(int argc, char **argv) {
	(void)argc;
	(void)argv;
	print_usage(stdout);
	return 0;
}

int main(int argc, char **argv) {
	static char outbuf[256 * 1024];
	setvbuf(stdout, outbuf, _IOFBF, sizeof outbuf);
	if (argc >= 2)
		for (size_t i = 0; i < N_SUBCOMMANDS; i++)
			if (!strcmp(argv[1], SUBCOMMANDS[i].name)) {
				int rc = SUBCOMMANDS[i].handler(argc - 2, argv + 2);
				/* A document that could not be written whole is no document. */
				if (fflush(stdout) != 0 || ferror(stdout))
					return 1;
				return rc;
			}
	if (argc >= 2)
		fprintf(stderr, "probe: unknown subcommand '%s'\n", argv[1]);
	print_usage(stderr);
	return EXIT_USAGE;
}
