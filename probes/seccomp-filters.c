/*
 * probe seccomp-filters --pid N: run on the host (never inside a container), by the harness,
 * which holds CAP_SYS_ADMIN in the initial user namespace that PTRACE_SECCOMP_GET_FILTER needs.
 * It reads every stacked seccomp filter of process N as the kernel installed it (issue 14: the
 * effective profile is evaluated from these, model/seccomp/), and leaves the process as it was:
 * PTRACE_SEIZE (no signal sent), PTRACE_INTERRUPT (a stop without a signal), one read per filter,
 * PTRACE_DETACH. A blocked read(2) in the tracee is restarted on detach (the held probe waits on
 * its stdin). The whole read is bounded by an alarm; each failed step is its errno in the document
 * ("step"), never a guess, and the process is detached on every path that attached it.
 *
 * Output: {"schema":1,"kind":"seccomp-filters","pid":N,"filters":[[[code,jt,jf,k],...],...],
 * "error":null} or with "error":{"step":"seize|interrupt|wait|get","index":I,"errno":E}.
 * Filter 0 is the most recently installed (the first the kernel runs).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/filter.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

#include "probe.h"

#ifndef PTRACE_SECCOMP_GET_FILTER
#define PTRACE_SECCOMP_GET_FILTER 0x420c
#endif

const char SECCOMP_FILTERS_USAGE[] = "seccomp-filters --pid N (on the host, as root)";

/* Far above any real stack (Docker and systemd install one or two, firejail five). */
#define MAX_FILTERS 64
#define MAX_INSNS 4096
#define BOUND_SECONDS 2

static void on_alarm(int sig) { (void)sig; }

static void emit_error(const char *step, long index, int err) {
	json_close(']');
	json_open("error", '{');
	json_str("step", step);
	json_int("index", index);
	json_int("errno", err);
	json_close('}');
}

/* Waits for the tracee's stop; EINTR from the alarm ends the wait. */
static int wait_stopped(pid_t pid) {
	int status;
	for (;;) {
		pid_t r = waitpid(pid, &status, __WALL);
		if (r < 0)
			return errno;
		if (WIFSTOPPED(status))
			return 0;
		if (WIFEXITED(status) || WIFSIGNALED(status))
			return ESRCH;
	}
}

int cmd_seccomp_filters(int argc, char **argv) {
	long long pid = 0;
	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--pid") || i + 1 >= argc || parse_ll(argv[i + 1], 1, 0x7fffffff, &pid) < 0)
			return usage_error(SECCOMP_FILTERS_USAGE, "bad option", argv[i]);
		i++;
	}
	if (!pid)
		return usage_error(SECCOMP_FILTERS_USAGE, "missing", "--pid");
	struct sigaction sa = {.sa_handler = on_alarm}; /* no SA_RESTART: the alarm interrupts waitpid */
	sigaction(SIGALRM, &sa, NULL);
	alarm(BOUND_SECONDS);

	json_open(NULL, '{');
	json_int("schema", SCHEMA);
	json_str("kind", "seccomp-filters");
	json_int("pid", pid);
	json_open("filters", '[');
	if (ptrace(PTRACE_SEIZE, (pid_t)pid, 0, 0) < 0) {
		emit_error("seize", -1, errno);
		json_close('}');
		putchar('\n');
		return 0;
	}
	const char *step = NULL;
	long index = -1;
	int err = 0;
	if (ptrace(PTRACE_INTERRUPT, (pid_t)pid, 0, 0) < 0)
		step = "interrupt", err = errno;
	else if ((err = wait_stopped((pid_t)pid)))
		step = "wait";
	static struct sock_filter insns[MAX_INSNS];
	for (index = 0; !step && index < MAX_FILTERS; index++) {
		long n = ptrace(PTRACE_SECCOMP_GET_FILTER, (pid_t)pid, (void *)index, NULL);
		/* ENOENT: past the last filter; EINVAL at 0: no filter mode (seccomp(2)). */
		if (n < 0 && (errno == ENOENT || (errno == EINVAL && index == 0)))
			break;
		if (n < 0 || n > MAX_INSNS) {
			step = "get", err = n < 0 ? errno : E2BIG;
			break;
		}
		if (ptrace(PTRACE_SECCOMP_GET_FILTER, (pid_t)pid, (void *)index, insns) != n) {
			step = "get", err = errno ? errno : EIO;
			break;
		}
		json_open(NULL, '[');
		for (long i = 0; i < n; i++)
			printf("%s[%u,%u,%u,%u]", i ? "," : "", insns[i].code, insns[i].jt, insns[i].jf, insns[i].k);
		/* the raw elements above are the array's own: the next json_key needs no comma here */
		json_close(']');
	}
	ptrace(PTRACE_DETACH, (pid_t)pid, 0, 0);
	alarm(0);
	if (step)
		emit_error(step, index, err);
	else {
		json_close(']');
		json_key("error");
		fputs("null", stdout);
	}
	json_close('}');
	putchar('\n');
	return 0;
}
