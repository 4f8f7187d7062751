/*
 * What the probe's translation units share: the exit codes and bounds of the contract
 * (probes/README.md), the parsed `facts` options, the one-line JSON writer, and the helpers that
 * more than one area calls. Each .c file defines _GNU_SOURCE and includes its own system headers;
 * this header includes only what its declarations need.
 */
#ifndef ISOPROBE_PROBE_H
#define ISOPROBE_PROBE_H

#include <errno.h>
#include <stddef.h>
#include <sys/socket.h>
#include <time.h>

#define SCHEMA 1
#define EXIT_USAGE 2
#define EXIT_UNSUPPORTED 3
#define EXIT_NO_GO 4

#define MAX_PROC_ENTRIES 4096
#define MAX_FILE_BYTES (64 * 1024)
#define MAX_MARKERS 16
#define MAX_HOST_NS 16
/* What a runtime was asked for beyond the fixed lists (--sysctl, --path): a bounded few. */
#define MAX_REQUESTED 32
#define MAX_SYSCTL_BYTES 256
#define CHILD_TIMEOUT_MS 2000

/* The namespaces of /proc/self/ns the facts report and --host-ns accepts (facts.c). */
#define N_NAMESPACES 8
extern const char *const NAMESPACES[N_NAMESPACES];

/* A syscall's result as the facts record it: 0, or the errno that refused it. */
static inline int err_of(long r) { return r < 0 ? errno : 0; }

/* ---------------------------------------------------------------- options (opts.c) */

struct host_ns {
	char name[16];
	unsigned long long ino;
};

/* --secret-file PATH:HEX: a decoy and the FNV-1a 64 hash of its bytes (agent.c). */
#define MAX_SECRETS 8
struct secret_file {
	const char *path;
	unsigned long long fnv;
};

struct facts_opts {
	struct sockaddr_storage tcp_addr, egress_addr;
	socklen_t tcp_len, egress_len;
	const char *tcp, *abstract, *mq, *sentinel_argv, *set_hostname, *mount_nonce, *create_file;
	long long shm_key, msg_key, sem_key, kill_pid, bind_port;
	int has_shm, has_msg, has_sem, has_kill, has_bind, chroot_escape, wait_stdin;
	const char *markers[MAX_MARKERS];
	int n_markers;
	struct host_ns host_ns[MAX_HOST_NS];
	int n_host_ns;
	const char *sysctls[MAX_REQUESTED];
	int n_sysctls;
	const char *paths[MAX_REQUESTED];
	int n_paths;
	/* the agent section (agent.c): present with --agent or any of its options */
	int agent;
	struct secret_file secrets[MAX_SECRETS];
	int n_secrets;
	const char *host_socket, *egress, *write_outside, *write_inside;
};

extern const char FACTS_USAGE[];
int usage_error(const char *usage, const char *why, const char *what);
int parse_ll(const char *s, long long min, long long max, long long *out);
int parse_facts_opts(int argc, char **argv, struct facts_opts *o);
int wait_for_stdin_byte(void);

/* ---------------------------------------------------------------- JSON writer (json.c) */

/* One document on stdout, one line; a NULL key is an array element. */
void json_key(const char *key);
void json_open(const char *key, char bracket);
void json_close(char bracket);
void json_strn(const char *key, const char *s, size_t n);
void json_str(const char *key, const char *s);
void json_int(const char *key, long long v);
void json_bool(const char *key, int v);
void json_timespec(const char *key, const struct timespec *ts);

/* ---------------------------------------------------------------- areas */

/* facts.c */
int is_pid_name(const char *s);
/* Reads /proc/<pid>/cmdline of every other process (at most MAX_PROC_ENTRIES) into buf until
 * match(buf, length, arg) says yes: that pid, else 0. *scanned counts the entries read; *dir_err
 * is opendir's errno (0 when /proc could be listed). */
int scan_cmdlines(char *buf, size_t size, int (*match)(const char *cmdline, size_t len, const char *arg),
		  const char *arg, int *scanned, int *dir_err);
int cmd_facts(int argc, char **argv);

/* sentinels.c */
int bounded_connect(int fd, const struct sockaddr *sa, socklen_t len);
void emit_result(const char *key, const char *field, const char *str, long long num, int err);
void emit_sentinels(const struct facts_opts *o);

/* writes.c: the tests that change something, each behind host_ns_refusal */
const char *host_ns_refusal(const struct facts_opts *o, const char *ns);
void emit_write_tests(const struct facts_opts *o);

/* security.c */
void emit_security(const struct facts_opts *o);
void emit_requested(const struct facts_opts *o);

/* experiments.c: the forked ones of the security facts */
#define MAX_HIERARCHIES 16
#define HIERARCHY_OPTS 96
const char *scratch_mountpoint(void);
size_t existing_hierarchies(char opts[][HIERARCHY_OPTS], size_t max);
int unshare_user_probe(void);
int ptrace_probe(void);
void emit_experiments(void);

/* agent.c */
#include <stdint.h>
uint64_t fnv1a64(const unsigned char *p, size_t n);
int secret_shaped(const char *name, size_t n);
void emit_agent(const struct facts_opts *o);

/* cgroupfs.c */
void emit_cgroupfs(const struct facts_opts *o);
void emit_cgroup_leave(const struct facts_opts *o);

/* enforce.c */
extern const char FORKBOMB_USAGE[], MEMHOG_USAGE[], CPUBURN_USAGE[];
int cmd_forkbomb(int argc, char **argv);
int cmd_memhog(int argc, char **argv);
int cmd_cpuburn(int argc, char **argv);

/* sibling.c, sibling-arm.c, sibling-look.c (sibling.h) */
extern const char SIBLING_USAGE[];

/* seccomp-filters.c: the host-side read of a process's seccomp filters */
extern const char SECCOMP_FILTERS_USAGE[];
int cmd_seccomp_filters(int argc, char **argv);
int cmd_sibling(int argc, char **argv);
int cmd_sibling_serve(int argc, char **argv);

#endif
