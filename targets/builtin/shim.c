/*
 * isoprobe-shim: the single-threaded half of the built-in runtime.
 *
 * Node is multi-threaded, and unshare(CLONE_NEWUSER)/setns into a user namespace fail with EINVAL
 * in a multi-threaded process; fork() from Node cannot run JS in the child. So this static helper
 * does every step that must happen in a single-threaded process, and the TypeScript parent
 * (targets/builtin/builtin.ts) does every step that needs the host's privileges from outside:
 * writing the id maps and placing the child in its cgroup. The two talk over fd 3.
 *
 * Sync protocol (one text line per message; the line table is mirrored in protocol.ts):
 *
 *   TypeScript parent            shim (this file)                 container init (child)
 *   -----------------            ----------------                 ----------------------
 *                                clone(NEW* flags) ───────────────> blocks on the go pipe
 *               <── "PID <n>"
 *   write uid_map/gid_map,
 *   cgroup.procs
 *   "GO" ──────────────────────> relays "G" ──────────────────────> setuid(0), cgroupns,
 *                                                                   mounts, pivot_root,
 *                                                                   hostname, lo, timens,
 *                                                                   caps
 *               <── "READY"      <── "R" ───────────────────────── blocks again
 *   observe /proc/<n>/ns/...
 *   "EXEC" ────────────────────> relays "X" ──────────────────────> execve(argv)
 *               <── "EXECED"     <── EOF (close-on-exec pipe)
 *               <── "EXIT <code>" or "SIGNAL <n>" when the child ends
 *
 * A sibling container that joins another's namespaces (--join NS:PATH, the cross area's negative
 * controls) has the shim enter them with setns() before clone(), its user namespace last; a
 * failure is "ERR join-<ns>:<errno>" before PID.
 *
 * Any failing step of the child is reported as "ERR <step>:<errno>" instead of READY/EXECED, so
 * tests can assert the exact step. "ABORT" from the parent at any point kills the child.
 * Every wait is bounded (SYNC_TIMEOUT_MS); the shim and the child die with their parent
 * (PR_SET_PDEATHSIG), so a killed harness leaves no container process behind.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "shim.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif
#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

#define SYNC_FD 3
#define MAX_CGROUP_MOUNTS 32
#define SYNC_TIMEOUT_MS 30000
#define EXIT_USAGE 2
#define EXIT_SETUP 125

enum { NS_PID, NS_MNT, NS_NET, NS_UTS, NS_IPC, NS_USER, NS_TIME, NS_CGROUP, NS_COUNT };
static const char *ns_names[NS_COUNT] = {"pid", "mnt", "net", "uts", "ipc", "user", "time", "cgroup"};

/* One cgroup hierarchy to show at /sys/fs/cgroup/<dir> ("" = /sys/fs/cgroup itself). */
struct cgroup_mount {
  const char *type; /* "cgroup" or "cgroup2" */
  const char *dir;
  const char *opts; /* v1: the hierarchy's controllers or name=, as the host mounted it */
};

struct config {
  int share[NS_COUNT];
  /* --join NS:PATH: an existing namespace to enter instead of a new one (a sibling container's). */
  const char *join[NS_COUNT];
  const char *rootfs;
  const char *scratch;
  const char *hostname;
  int use_chroot;
  int keep_caps;
  int no_seccomp;
  int seccomp_native_only;
  int leak_host_fd;
  int allow_new_privs;
  int cgroupfs_rw;
  struct cgroup_mount cgroups[MAX_CGROUP_MOUNTS];
  int n_cgroups;
  long mono_offset;
  long boot_offset;
  char **argv;
};

/* Docker's default capability set: the documented default of the built-in runtime. */
static const int default_caps[] = {
    CAP_CHOWN,  CAP_DAC_OVERRIDE, CAP_FSETID,  CAP_FOWNER,           CAP_MKNOD,      CAP_NET_RAW, CAP_SETGID,
    CAP_SETUID, CAP_SETFCAP,      CAP_SETPCAP, CAP_NET_BIND_SERVICE, CAP_SYS_CHROOT, CAP_KILL,    CAP_AUDIT_WRITE,
};

/* ---- small I/O helpers ------------------------------------------------------------------ */

static void send_line(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void send_line(const char *fmt, ...) {
  char buf[128];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(buf, sizeof buf - 1, fmt, ap);
  va_end(ap);
  if (n < 0) return;
  buf[n++] = '\n';
  ssize_t ignored = write(SYNC_FD, buf, (size_t)n);
  (void)ignored;
}

/* Reads one line (without '\n') from fd within SYNC_TIMEOUT_MS. Returns length or -1. */
static int read_line(int fd, char *buf, size_t size) {
  size_t len = 0;
  while (len + 1 < size) {
    struct pollfd p = {.fd = fd, .events = POLLIN};
    int r = poll(&p, 1, SYNC_TIMEOUT_MS);
    if (r <= 0) return -1;
    char c;
    ssize_t n = read(fd, &c, 1);
    if (n <= 0) return -1;
    if (c == '\n') break;
    buf[len++] = c;
  }
  buf[len] = '\0';
  return (int)len;
}

/* Reads one byte from fd, bounded. Returns the byte, 0 on EOF, -1 on timeout/error. */
static int read_byte(int fd) {
  struct pollfd p = {.fd = fd, .events = POLLIN};
  if (poll(&p, 1, SYNC_TIMEOUT_MS) <= 0) return -1;
  char c;
  ssize_t n = read(fd, &c, 1);
  return n == 1 ? (unsigned char)c : (n == 0 ? 0 : -1);
}

static int write_file(const char *path, const char *text) {
  int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  ssize_t n = write(fd, text, strlen(text));
  int saved = errno;
  close(fd);
  errno = saved;
  return n == (ssize_t)strlen(text) ? 0 : -1;
}

/* ---- the container init's steps --------------------------------------------------------- */

static int err_fd = -1; /* child → shim, close-on-exec: EOF means execve succeeded */

void fail_step(const char *step) {
  char buf[64];
  int n = snprintf(buf, sizeof buf, "E%s:%d", step, errno);
  ssize_t ignored = write(err_fd, buf, (size_t)n);
  (void)ignored;
  _exit(EXIT_SETUP);
}

static int mkdir_p(const char *path, mode_t mode) {
  return (mkdir(path, mode) < 0 && errno != EEXIST) ? -1 : 0;
}

static int bind_dev_node(const char *root, const char *name) {
  char target[4096];
  char source[64];
  snprintf(target, sizeof target, "%s/dev/%s", root, name);
  snprintf(source, sizeof source, "/dev/%s", name);
  int fd = open(target, O_CREAT | O_WRONLY | O_CLOEXEC, 0666);
  if (fd < 0) return -1;
  close(fd);
  return mount(source, target, NULL, MS_BIND, NULL);
}

/* /proc needs a pid namespace owned by our user namespace; a shared (host) pid namespace can
 * only be shown by binding the host's /proc, which is exactly what sharing it means. */
static void mount_proc(const struct config *c, const char *root) {
  char target[4096];
  snprintf(target, sizeof target, "%s/proc", root);
  if (c->share[NS_PID] && !c->share[NS_USER]) {
    STEP("proc", mount("/proc", target, NULL, MS_BIND | MS_REC, NULL));
    return;
  }
  STEP("proc", mount("proc", target, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL));
}

/* sysfs likewise needs a network namespace owned by our user namespace. */
static void mount_sys(const struct config *c, const char *root) {
  char target[4096];
  snprintf(target, sizeof target, "%s/sys", root);
  unsigned long flags = MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RDONLY;
  if (c->share[NS_NET] && !c->share[NS_USER]) {
    STEP("sysfs", mount("/sys", target, NULL, MS_BIND | MS_REC, NULL));
    STEP("sysfs", make_readonly(target)); /* the host's sysfs, but never writable */
    return;
  }
  STEP("sysfs", mount("sysfs", target, "sysfs", flags, NULL));
}

/*
 * cgroupfs as runc shows it: with a cgroup namespace of our own each host hierarchy is mounted
 * anew (its root is then our cgroup); v1 hierarchies sit on a tmpfs, one directory each. Read-only
 * unless weakened: a writable cgroupfs lets the container move itself or make cgroups. A cgroup
 * namespace owned by the host's user namespace cannot be mounted from ours (EPERM in
 * cgroup_get_tree), so a shared one is the host's hierarchy bound, as runc does without cgroupns.
 */
static void mount_cgroupfs(const struct config *c, const char *root) {
  char base[4096], path[4096];
  unsigned long flags = MS_NOSUID | MS_NODEV | MS_NOEXEC | (c->cgroupfs_rw ? 0 : MS_RDONLY);
  int single = c->n_cgroups == 1 && c->cgroups[0].dir[0] == '\0';
  if (c->n_cgroups == 0) return;
  snprintf(base, sizeof base, "%s/sys/fs/cgroup", root);
  if (c->share[NS_CGROUP] && !c->share[NS_USER]) {
    STEP("cgroupfs-bind", mount("/sys/fs/cgroup", base, NULL, MS_BIND | MS_REC, NULL));
    if (!c->cgroupfs_rw) STEP("cgroupfs-bind", make_readonly(base));
    return;
  }
  if (!single)
    STEP("cgroupfs-tmpfs", mount("tmpfs", base, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=755,size=64k"));
  for (int i = 0; i < c->n_cgroups; i++) {
    const struct cgroup_mount *m = &c->cgroups[i];
    if (snprintf(path, sizeof path, "%s/sys/fs/cgroup%s%s", root, single ? "" : "/", m->dir) >= (int)sizeof path) {
      errno = ENAMETOOLONG;
      fail_step("cgroupfs-dir");
    }
    if (!single) STEP("cgroupfs-dir", mkdir_p(path, 0755));
    STEP("cgroupfs-mount", mount(m->type, path, m->type, flags, m->opts[0] ? m->opts : NULL));
  }
  /* The tmpfs last: its directories had to be made first. */
  if (!single && !c->cgroupfs_rw) STEP("cgroupfs-tmpfs", make_readonly(base));
}

static void mount_dev(const struct config *c, const char *root) {
  static const char *nodes[] = {"null", "zero", "full", "random", "urandom", "tty"};
  char path[4096];
  snprintf(path, sizeof path, "%s/dev", root);
  STEP("dev", mount("tmpfs", path, "tmpfs", MS_NOSUID | MS_NOEXEC, "mode=755,size=64k"));
  for (size_t i = 0; i < sizeof nodes / sizeof *nodes; i++) STEP("dev-bind", bind_dev_node(root, nodes[i]));
  snprintf(path, sizeof path, "%s/dev/shm", root);
  STEP("dev-shm", mkdir_p(path, 01777));
  STEP("dev-shm", mount("shm", path, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=1777,size=1m"));
  if (!c->share[NS_IPC] || c->share[NS_USER]) {
    snprintf(path, sizeof path, "%s/dev/mqueue", root);
    STEP("dev-mqueue", mkdir_p(path, 0755));
    STEP("dev-mqueue", mount("mqueue", path, "mqueue", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL));
  }
}

static void setup_root(const struct config *c) {
  const char *root = c->rootfs;
  char path[4096];
  /* rprivate first: nothing we mount may propagate back to the host's mount namespace. */
  STEP("mount-private", mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL));
  STEP("bind-root", mount(root, root, NULL, MS_BIND | MS_REC, NULL));
  /* One rootfs serves every container of a run, so it is read-only inside; what a container may
   * write is its own tmpfs and its own scratch directory, bound below. */
  /* Keeps the flags the kernel locked on the source mount (a plain remount fails with EPERM
   * in a user namespace when the source is e.g. nosuid or relatime, as on a Debian guest). */
  STEP("root-readonly", make_readonly(root));
  if (c->scratch) {
    snprintf(path, sizeof path, "%s/scratch", root);
    STEP("scratch", mount(c->scratch, path, NULL, MS_BIND, NULL));
  }
  mount_proc(c, root); /* before pivot_root: the old root's /proc is what makes it allowed */
  mount_sys(c, root);
  mount_cgroupfs(c, root);
  mount_dev(c, root);
  mask_paths(root);
  readonly_paths_setup(root);
  snprintf(path, sizeof path, "%s/tmp", root);
  STEP("tmp", mount("tmpfs", path, "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777,size=4m"));
  STEP("chdir-root", chdir(root));
  if (c->use_chroot) {
    STEP("chroot", chroot("."));
  } else {
    /* pivot_root(".", ".") stacks the old root on top of the new one; detaching it leaves no
     * path back to the host's tree (unlike chroot, whose ".." escape reaches it). */
    STEP("pivot-root", (int)syscall(SYS_pivot_root, ".", "."));
    STEP("umount-oldroot", umount2(".", MNT_DETACH));
  }
  STEP("chdir", chdir("/"));
}

static void bring_up_lo(void) {
  int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (s < 0) fail_step("lo");
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  strcpy(ifr.ifr_name, "lo");
  if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0) fail_step("lo");
  ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
  if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0) fail_step("lo");
  close(s);
}

/* A time namespace applies to children only: write the offsets while no process is in it yet,
 * then move ourselves into it so the exec'd probe is its first member. */
static void enter_time_ns(const struct config *c) {
  char offsets[128];
  STEP("timens-unshare", unshare(CLONE_NEWTIME));
  snprintf(offsets, sizeof offsets, "monotonic %ld 0\nboottime %ld 0\n", c->mono_offset, c->boot_offset);
  STEP("timens-offsets", write_file("/proc/self/timens_offsets", offsets));
  int fd = open("/proc/self/ns/time_for_children", O_RDONLY | O_CLOEXEC);
  if (fd < 0) fail_step("timens-setns");
  STEP("timens-setns", setns(fd, CLONE_NEWTIME));
  close(fd);
}

static void drop_caps(void) {
  unsigned long long keep = 0;
  for (size_t i = 0; i < sizeof default_caps / sizeof *default_caps; i++) keep |= 1ULL << default_caps[i];
  for (int cap = 0; cap <= 63; cap++) {
    if (keep & (1ULL << cap)) continue;
    if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL) fail_step("caps-bounding");
  }
  STEP("caps-ambient", prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0));
  struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
  struct __user_cap_data_struct data[2];
  memset(data, 0, sizeof data);
  for (int i = 0; i < 2; i++) {
    /* Inheritable stays empty (CVE-2022-24769): no capability may survive an exec of a
     * program with inheritable file capabilities beyond the bounding set we chose. */
    data[i].effective = data[i].permitted = (unsigned)(keep >> (32 * i));
  }
  STEP("caps-set", (int)syscall(SYS_capset, &hdr, data));
}

static void container_init(const struct config *c, int go_fd) {
  /* Dies with the shim; the shim dies with the harness. */
  STEP("pdeathsig", prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0));
  if (read_byte(go_fd) != 'G') _exit(EXIT_SETUP); /* parent aborted */
  if (!c->share[NS_USER]) {
    /* Before the maps existed we were an unmapped uid; become the mapped root. */
    STEP("setgroups", setgroups(0, NULL));
    STEP("setresgid", setresgid(0, 0, 0));
    STEP("setresuid", setresuid(0, 0, 0));
    /* Changing credentials clears "dumpable", which makes our own /proc/self files belong to
     * host root, out of reach (timens_offsets would then fail with EACCES). */
    STEP("dumpable", prctl(PR_SET_DUMPABLE, 1, 0, 0, 0));
  }
  /* Made now, not at clone(): the parent has placed us in our cgroup, which becomes its root. */
  if (!c->share[NS_CGROUP]) STEP("cgroupns", unshare(CLONE_NEWCGROUP));
  /* The weakened variant re-creates runc's CVE-2024-21626: a directory fd of the host, opened
   * before the root change, survives into the container. */
  int leaked = c->leak_host_fd ? open("/sys/fs/cgroup", O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
  if (c->leak_host_fd && leaked < 0) fail_step("leak-host-fd");
  if (!c->share[NS_MNT]) setup_root(c);
  /* Sharing the host's mount namespace means no mounts and no root change at all; relative
   * paths then still resolve inside the rootfs directory. */
  else if (c->rootfs) STEP("chdir-rootfs", chdir(c->rootfs));
  /* A joined UTS or network namespace is its owner's: its name and its lo are left as they are. */
  if (!c->share[NS_UTS] && !c->join[NS_UTS]) STEP("hostname", sethostname(c->hostname, strlen(c->hostname)));
  if (!c->share[NS_NET] && !c->join[NS_NET]) bring_up_lo();
  if (!c->share[NS_TIME]) enter_time_ns(c);
  /* no_new_privs first: the filter then needs no CAP_SYS_ADMIN; seccomp before the caps drop,
   * which it allows, so the exec'd program starts confined. */
  if (!c->allow_new_privs) STEP("no-new-privs", prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0));
  if (!c->no_seccomp) install_seccomp(c->seccomp_native_only);
  if (!c->keep_caps) drop_caps();
  /* No fd of the runtime may reach the container (CVE-2024-21626 class): all ≥3 close on exec. */
  STEP("close-fds", (int)syscall(SYS_close_range, 3, ~0U, CLOSE_RANGE_CLOEXEC));
  if (leaked >= 0) STEP("leak-host-fd", fcntl(leaked, F_SETFD, 0));
  ssize_t ignored = write(err_fd, "R", 1);
  (void)ignored;
  if (read_byte(go_fd) != 'X') _exit(EXIT_SETUP);
  execv(c->argv[0], c->argv);
  fail_step("exec");
}

/* ---- the shim's own flow ---------------------------------------------------------------- */

static int clone_flags(const struct config *c) {
  static const int flags[NS_COUNT] = {
      CLONE_NEWPID, CLONE_NEWNS, CLONE_NEWNET, CLONE_NEWUTS, CLONE_NEWIPC, CLONE_NEWUSER, 0, 0};
  int f = 0;
  for (int i = 0; i < NS_COUNT; i++)
    if (!c->share[i] && !c->join[i]) f |= flags[i];
  return f;
}

/*
 * Enters the namespaces to join before clone(), so the child starts in them (a pid namespace only
 * ever applies to children). The user namespace last: entering the others needs CAP_SYS_ADMIN
 * over their owner, which the host's root has, and which the owner's user namespace then gives.
 */
static int join_one(const struct config *c, int i) {
  if (!c->join[i]) return 0;
  int fd = open(c->join[i], O_RDONLY | O_CLOEXEC);
  if (fd < 0 || setns(fd, 0) < 0) {
    send_line("ERR join-%s:%d", ns_names[i], errno);
    return -1;
  }
  close(fd);
  return 0;
}

static int join_namespaces(const struct config *c) {
  for (int i = 0; i < NS_COUNT; i++)
    if (i != NS_USER && join_one(c, i) < 0) return -1;
  return join_one(c, NS_USER);
}

/* Relays the child's one-byte report ("R", EOF on exec) or its "E<step>:<errno>" text. */
static int relay_child_report(int from_child, const char *ok_line) {
  char buf[64];
  struct pollfd p = {.fd = from_child, .events = POLLIN};
  if (poll(&p, 1, SYNC_TIMEOUT_MS) <= 0) {
    send_line("ERR timeout:%d", ETIMEDOUT);
    return -1;
  }
  ssize_t n = read(from_child, buf, sizeof buf - 1);
  if (n < 0) n = 0;
  buf[n] = '\0';
  int ok = ok_line[0] == 'R' ? (n == 1 && buf[0] == 'R') : n == 0;
  if (ok) {
    send_line("%s", ok_line);
    return 0;
  }
  send_line("ERR %s", n > 0 && buf[0] == 'E' ? buf + 1 : "child-exited:0");
  return -1;
}

static int wait_child(pid_t child) {
  int status;
  while (waitpid(child, &status, 0) < 0)
    if (errno != EINTR) return EXIT_SETUP;
  if (WIFSIGNALED(status)) {
    send_line("SIGNAL %d", WTERMSIG(status));
    return 128 + WTERMSIG(status);
  }
  send_line("EXIT %d", WEXITSTATUS(status));
  return WEXITSTATUS(status);
}

static int expect_parent(const char *word) {
  char line[64];
  return read_line(SYNC_FD, line, sizeof line) >= 0 && strcmp(line, word) == 0 ? 0 : -1;
}

static int run(const struct config *c) {
  int go[2], report[2];
  if (pipe2(go, O_CLOEXEC) < 0 || pipe2(report, O_CLOEXEC) < 0) {
    send_line("ERR pipe:%d", errno);
    return EXIT_SETUP;
  }
  if (join_namespaces(c) < 0) return EXIT_SETUP;
  pid_t child = (pid_t)syscall(SYS_clone, clone_flags(c) | SIGCHLD, NULL, NULL, NULL, 0);
  if (child < 0) {
    send_line("ERR clone:%d", errno);
    return EXIT_SETUP;
  }
  if (child == 0) {
    close(go[1]);
    close(report[0]);
    err_fd = report[1];
    container_init(c, go[0]);
  }
  close(go[0]);
  close(report[1]);
  send_line("PID %d", child);
  int ok = expect_parent("GO") == 0 && write(go[1], "G", 1) == 1 && relay_child_report(report[0], "READY") == 0 &&
           expect_parent("EXEC") == 0 && write(go[1], "X", 1) == 1 && relay_child_report(report[0], "EXECED") == 0;
  if (!ok) kill(child, SIGKILL);
  close(go[1]);
  return wait_child(child);
}

/* ---- arguments -------------------------------------------------------------------------- */

static void usage(const char *msg) __attribute__((noreturn));
static void usage(const char *msg) {
  fprintf(stderr,
          "isoprobe-shim: %s\nusage: isoprobe-shim [--share NS]... [--rootfs DIR] [--scratch DIR] [--hostname NAME]\n"
          "       [--chroot] [--keep-caps] [--no-seccomp] [--seccomp-native-only] [--allow-new-privs] [--leak-host-fd]"
          " [--time-offsets MONO_SEC,BOOT_SEC]\n"
          "       [--cgroupfs ro|rw] [--cgroup-mount cgroup|cgroup2:DIR:OPTIONS]... [--join NS:PATH]...\n"
          "       -- PROGRAM [ARG...]\n",
          msg);
  exit(EXIT_USAGE);
}

static void parse_share(struct config *c, const char *name) {
  for (int i = 0; i < NS_COUNT; i++) {
    if (strcmp(ns_names[i], name) == 0) {
      c->share[i] = 1;
      return;
    }
  }
  usage("unknown namespace");
}

/* "cgroup:cpu:cpu", "cgroup:systemd:name=systemd", "cgroup2:unified:", "cgroup2::" (split in place). */
/* "pid:/proc/123/ns/pid": one of the namespaces a sibling can be joined in (the user one with them). */
static void parse_join(struct config *c, const char *v) {
  const char *colon = strchr(v, ':');
  for (int i = 0; colon && i < NS_COUNT; i++) {
    int joinable = i == NS_PID || i == NS_IPC || i == NS_NET || i == NS_UTS || i == NS_USER;
    if (joinable && strlen(ns_names[i]) == (size_t)(colon - v) && strncmp(ns_names[i], v, colon - v) == 0 &&
        colon[1] == '/') {
      c->join[i] = colon + 1;
      return;
    }
  }
  usage("bad --join");
}

static void parse_cgroup_mount(struct config *c, char *v) {
  char *dir = strchr(v, ':');
  char *opts = dir ? strchr(dir + 1, ':') : NULL;
  if (!opts || c->n_cgroups >= MAX_CGROUP_MOUNTS) usage("bad --cgroup-mount");
  *dir++ = '\0';
  *opts++ = '\0';
  if ((strcmp(v, "cgroup") && strcmp(v, "cgroup2")) || strstr(dir, "..") || strchr(dir, '/'))
    usage("bad --cgroup-mount");
  c->cgroups[c->n_cgroups++] = (struct cgroup_mount){.type = v, .dir = dir, .opts = opts};
}

static void parse_args(struct config *c, int argc, char **argv) {
  int i = 1;
  for (; i < argc && strcmp(argv[i], "--") != 0; i++) {
    const char *a = argv[i];
    const char *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (strcmp(a, "--chroot") == 0) c->use_chroot = 1;
    else if (strcmp(a, "--keep-caps") == 0) c->keep_caps = 1;
    else if (strcmp(a, "--no-seccomp") == 0) c->no_seccomp = 1;
    else if (strcmp(a, "--seccomp-native-only") == 0) c->seccomp_native_only = 1;
    else if (strcmp(a, "--leak-host-fd") == 0) c->leak_host_fd = 1;
    else if (strcmp(a, "--allow-new-privs") == 0) c->allow_new_privs = 1;
    else if (!v) usage("option needs a value");
    else if (strcmp(a, "--share") == 0) parse_share(c, v), i++;
    else if (strcmp(a, "--join") == 0) parse_join(c, v), i++;
    else if (strcmp(a, "--rootfs") == 0) c->rootfs = v, i++;
    else if (strcmp(a, "--scratch") == 0) c->scratch = v, i++;
    else if (strcmp(a, "--hostname") == 0) c->hostname = v, i++;
    else if (strcmp(a, "--cgroup-mount") == 0) parse_cgroup_mount(c, argv[++i]);
    else if (strcmp(a, "--cgroupfs") == 0) {
      if (strcmp(v, "ro") && strcmp(v, "rw")) usage("bad --cgroupfs");
      c->cgroupfs_rw = strcmp(v, "rw") == 0;
      i++;
    } else if (strcmp(a, "--time-offsets") == 0) {
      if (sscanf(v, "%ld,%ld", &c->mono_offset, &c->boot_offset) != 2) usage("bad --time-offsets");
      i++;
    } else usage("unknown option");
  }
  if (i + 1 >= argc) usage("no program given");
  c->argv = argv + i + 1;
  if (!c->rootfs) usage("--rootfs is required");
}

int main(int argc, char **argv) {
  struct config c = {.hostname = "isoprobe"};
  parse_args(&c, argc, argv);
  struct stat st;
  if (fstat(SYNC_FD, &st) < 0) usage("fd 3 (the sync socket) is not open");
  /* The harness may die without cleaning up: take the container down with us. */
  prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
  return run(&c);
}
