/*
 * The enforcement subcommands (contract: probes/README.md): a bounded fork bomb, a bounded memory
 * hog and a bounded CPU burn, each run alone in a container of its own so that its cgroup limit
 * is the only thing it meets. Every loop has a count or a deadline; every child is killed and reaped before the document is
 * printed, and every child dies with the probe (PR_SET_PDEATHSIG).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "probe.h"

#define FORKBOMB_LIMIT 4096
#define MEMHOG_LIMIT_MB 1024
#define CPUBURN_LIMIT_MS 10000
#define MEMHOG_TIMEOUT_MS 20000

static long long now_ms(clockid_t clock) {
	struct timespec ts;
	clock_gettime(clock, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * "--name VALUE" pairs, each bounded; unknown flags and bad values are usage errors. A leading
 * --wait-stdin holds the probe until one byte arrives (as for facts), so that a runtime which
 * cannot hold the container lets the host find its cgroup before the first fork, page or spin.
 */
static int parse_bounded(int argc, char **argv, const char *usage, const char *const *names, long long *values,
			 const long long *max, int n) {
	int held = argc > 0 && !strcmp(argv[0], "--wait-stdin");
	for (int i = held; i < argc; i += 2) {
		int k = 0;
		while (k < n && strcmp(argv[i], names[k]))
			k++;
		if (k == n)
			return usage_error(usage, "unknown option", argv[i]);
		if (i + 1 >= argc || parse_ll(argv[i + 1], 1, max[k], &values[k]) < 0)
			return usage_error(usage, i + 1 < argc ? "bad value for" : "missing value for", argv[i]);
	}
	return held && wait_for_stdin_byte() < 0 ? EXIT_NO_GO : 0;
}

const char FORKBOMB_USAGE[] = "forkbomb [--wait-stdin] [--max N (<=4096)] [--hold-ms M (<=10000)]";

/* Forks children that sleep until killed, until fork fails (EAGAIN at pids.max) or N exist. */
int cmd_forkbomb(int argc, char **argv) {
	static pid_t kids[FORKBOMB_LIMIT];
	static const char *const names[] = {"--max", "--hold-ms"};
	static const long long max[] = {FORKBOMB_LIMIT, 10000};
	long long v[] = {256, 2000};
	int rc = parse_bounded(argc, argv, FORKBOMB_USAGE, names, v, max, 2), forked = 0, err = 0;
	long long t0 = now_ms(CLOCK_MONOTONIC);

	if (rc)
		return rc;
	fflush(stdout);
	while (forked < v[0]) {
		pid_t pid = fork();
		if (pid == 0) {
			struct timespec hold = {v[1] / 1000, (v[1] % 1000) * 1000000};
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			nanosleep(&hold, NULL);
			_exit(0);
		}
		if (pid < 0) {
			err = errno;
			break;
		}
		kids[forked++] = pid;
	}
	for (int i = 0; i < forked; i++)
		kill(kids[i], SIGKILL);
	for (int i = 0; i < forked; i++)
		waitpid(kids[i], NULL, 0);
	json_open(NULL, '{');
	json_int("schema", SCHEMA);
	json_str("kind", "forkbomb");
	json_int("max", v[0]);
	json_int("forked", forked);
	json_int("errno", err);
	json_int("elapsed_ms", now_ms(CLOCK_MONOTONIC) - t0);
	json_close('}');
	putchar('\n');
	return 0;
}

const char MEMHOG_USAGE[] = "memhog [--wait-stdin] [--max-mb N (<=1024)] [--step-mb S]";

/* Child: maps and touches S MiB at a time, reporting the running total after each step. */
static void memhog_child(int out, long long max_mb, long long step_mb) {
	for (long long total = 0; total < max_mb;) {
		size_t len = (size_t)step_mb << 20;
		char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			_exit(10);
		memset(p, 0xa5, len); /* touched, so it is charged to the cgroup */
		total += step_mb;
		int mb = (int)total;
		if (write(out, &mb, sizeof mb) != sizeof mb)
			_exit(11);
	}
	_exit(0);
}

int cmd_memhog(int argc, char **argv) {
	static const char *const names[] = {"--max-mb", "--step-mb"};
	static const long long max[] = {MEMHOG_LIMIT_MB, MEMHOG_LIMIT_MB};
	long long v[] = {128, 8}, t0 = now_ms(CLOCK_MONOTONIC);
	int rc = parse_bounded(argc, argv, MEMHOG_USAGE, names, v, max, 2), fds[2], reached = 0, mb, status = 0;

	if (rc)
		return rc;
	if (pipe2(fds, O_CLOEXEC) < 0) {
		fprintf(stderr, "probe: pipe: %s\n", strerror(errno));
		return EXIT_UNSUPPORTED;
	}
	fflush(stdout);
	pid_t pid = fork();
	int fork_err = pid < 0 ? errno : 0;
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		close(fds[0]);
		memhog_child(fds[1], v[0], v[1]);
	}
	close(fds[1]);
	int timed_out = 0;
	while (pid > 0) {
		struct pollfd p = {.fd = fds[0], .events = POLLIN};
		long long left = MEMHOG_TIMEOUT_MS - (now_ms(CLOCK_MONOTONIC) - t0);
		if (left <= 0 || poll(&p, 1, (int)left) <= 0) {
			timed_out = 1;
			break;
		}
		if (read(fds[0], &mb, sizeof mb) != sizeof mb)
			break; /* EOF: the child ended (done, refused or killed) */
		reached = mb;
	}
	close(fds[0]);
	if (pid > 0) {
		if (timed_out)
			kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
	}
	json_open(NULL, '{');
	json_int("schema", SCHEMA);
	json_str("kind", "memhog");
	json_int("max_mb", v[0]);
	json_int("step_mb", v[1]);
	json_int("reached_mb", reached);
	json_int("fork_errno", fork_err);
	json_bool("timed_out", timed_out);
	json_int("exit_code", pid > 0 && WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	json_int("signal", pid > 0 && WIFSIGNALED(status) ? WTERMSIG(status) : 0);
	json_int("elapsed_ms", now_ms(CLOCK_MONOTONIC) - t0);
	json_close('}');
	putchar('\n');
	return 0;
}

const char CPUBURN_USAGE[] = "cpuburn [--wait-stdin] [--ms M (<=10000)]";

/* Spins for M ms of wall time; the CPU time it got is what the quota allowed. */
int cmd_cpuburn(int argc, char **argv) {
	static const char *const names[] = {"--ms"};
	static const long long max[] = {CPUBURN_LIMIT_MS};
	long long v[] = {500};
	volatile unsigned long spin = 0;
	struct rusage ru;
	int rc = parse_bounded(argc, argv, CPUBURN_USAGE, names, v, max, 1);

	if (rc)
		return rc;
	long long wall0 = now_ms(CLOCK_MONOTONIC), cpu0 = now_ms(CLOCK_PROCESS_CPUTIME_ID), wall;
	while ((wall = now_ms(CLOCK_MONOTONIC) - wall0) < v[0])
		for (int i = 0; i < 10000; i++)
			spin++;
	long long cpu = now_ms(CLOCK_PROCESS_CPUTIME_ID) - cpu0;
	getrusage(RUSAGE_SELF, &ru);
	json_open(NULL, '{');
	json_int("schema", SCHEMA);
	json_str("kind", "cpuburn");
	json_int("wall_ms", wall);
	json_int("cpu_ms", cpu);
	json_int("rusage_ms", (long long)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000 +
				      (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1000);
	json_close('}');
	putchar('\n');
	return 0;
}
