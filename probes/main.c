/*
 * probe: the in-container helper. The contract (options, output, exit codes) is probes/README.md.
 *
 * One static binary, one subcommand per behaviour, in the style of crun's tests/init.c: a table
 * of {name, usage, handler}. Exit 0: the JSON document was printed; 2: usage error; 3: the
 * subcommand cannot run here. Every loop and wait is bounded, every failed observation is
 * recorded as its errno and never aborts the document, and nothing is written to host state:
 * the two write tests (sethostname, mount) only run in a namespace proven to differ from the
 * host's by inode, and the files they touch are the probe's own.
 *
 * This file is the table and the entry point; each area is its own file, sharing probe.h.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "probe.h"

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
	/* the enforcement subcommands (enforce.c), each run in a container of its own */
	{"forkbomb", FORKBOMB_USAGE, cmd_forkbomb},
	{"memhog", MEMHOG_USAGE, cmd_memhog},
	{"cpuburn", CPUBURN_USAGE, cmd_cpuburn},
	/* container-to-container isolation (sibling.c); sibling-serve is its sentinel process */
	{"sibling", SIBLING_USAGE, cmd_sibling},
	{"sibling-serve", "sibling-serve NONCE (started by probe sibling)", cmd_sibling_serve},
	/* run on the host by the harness: the stacked seccomp filters of a held container process */
	{"seccomp-filters", SECCOMP_FILTERS_USAGE, cmd_seccomp_filters},
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
	/*
	 * `probe --nonce=STR CMD ...`: a mark in the probe's argv and nothing else, by which the host
	 * finds the probe's pid under a wrapper it does not know (targets/command/locate.ts).
	 */
	if (argc >= 2 && !strncmp(argv[1], "--nonce=", 8)) {
		argv[1] = argv[0];
		argv++;
		argc--;
	}
	/*
	 * `probe --unlink-self CMD ...`: remove the probe's own file first (it keeps running from
	 * memory), for `isoprobe inspect`, which copies it into a container that may have no rm. Only
	 * the file /proc/self/exe names is removed, so the option cannot delete anything else.
	 */
	if (argc >= 2 && !strcmp(argv[1], "--unlink-self")) {
		char self[4096];
		ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
		if (n > 0)
			self[n] = '\0';
		if (n <= 0 || (size_t)n >= sizeof self - 1 || unlink(self) != 0) {
			fprintf(stderr, "probe: --unlink-self: cannot remove its own file: %s\n", strerror(errno));
			return EXIT_UNSUPPORTED;
		}
		argv[1] = argv[0];
		argv++;
		argc--;
	}
	for (size_t i = 0; argc >= 2 && i < N_SUBCOMMANDS; i++)
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
