/*
 * What the three files of `probe sibling` share (sibling.c: the subcommand and its exchange with
 * the host; sibling-arm.c: its own sentinels; sibling-look.c: looking for the other's).
 */
#ifndef ISOPROBE_SIBLING_H
#define ISOPROBE_SIBLING_H

#include <netinet/in.h>
#include <sys/types.h>

#define MAX_SIBLING_ADDRS 8
#define HOSTNAME_BYTES 65

/* One sibling's names, all chosen by the host (argv); the nonce is what its listeners answer. */
struct sib_names {
	const char *nonce, *abstract, *mq, *marker, *argv;
	long long tcp_port, any_port, shm_key, msg_key, sem_key;
};

/* Where the exchange may go, in order: the first the probe can write (a read-only root or a
 * non-root user leave /scratch unwritable; /dev/shm is a tmpfs every user may write). */
#define MAX_SIBLING_DIRS 3

struct sibling_opts {
	const char *dirs[MAX_SIBLING_DIRS];
	int ndirs;
	const char *dir; /* the one in use */
	int wait_stdin;
	struct sib_names own, peer;
};

/* The sentinels, in the document's order (sibling-arm.c SENTINEL_NAMES). */
enum { S_TCP, S_ANY, S_ABSTRACT, S_SHM, S_MSG, S_SEM, S_MQ, S_MARKER, S_PROCESS, S_HOSTNAME, N_SENTINELS };

/* Per sentinel: 0 or the errno that stopped it, and what identifies the object (same identity = not re-made). */
struct sentinel_states {
	int err[N_SENTINELS];
	char id[N_SENTINELS][96];
};

struct armed {
	struct sentinel_states state;
	int lo_fd, any_fd, abs_fd, shm_id, msg_id, sem_id;
	pid_t server;
	char hostname[HOSTNAME_BYTES];
};

/* What the host wrote to DIR/peer. */
struct peer_info {
	int received, n_addrs;
	char hostname[HOSTNAME_BYTES];
	char addrs[MAX_SIBLING_ADDRS][INET6_ADDRSTRLEN];
};

/* What a sibling's listeners answer on accept, then close. */
#define SIBLING_GREETING "isoprobe-sibling "

void arm_sentinels(const struct sib_names *n, struct armed *a);
void verify_sentinels(const struct sib_names *n, const struct armed *a, struct sentinel_states *held);
void disarm_sentinels(const struct sib_names *n, struct armed *a);
void emit_sentinel_states(const char *key, const struct sentinel_states *s);
/* Connects (bounded) and reads the greeting (bounded): 0 and *match when it names `nonce`. */
int greeted_connect(const struct sockaddr *sa, socklen_t len, const char *nonce, int *match);
void look_for_peer(const struct sib_names *peer, const struct peer_info *p, const char *our_hostname);

#endif
