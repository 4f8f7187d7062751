/*
 * What shim.c and harden.c share: the container init's step reporting (a failed step writes
 * "E<step>:<errno>" to the error pipe and exits, the protocol at the top of shim.c) and the
 * hardening steps harden.c implements.
 */
#ifndef ISOPROBE_SHIM_H
#define ISOPROBE_SHIM_H

void fail_step(const char *step) __attribute__((noreturn));

#define STEP(name, call)             \
  do {                               \
    if ((call) < 0) fail_step(name); \
  } while (0)

/* harden.c */
int make_readonly(const char *target);
void mask_paths(const char *root);
void readonly_paths_setup(const char *root);
/* native_only: a weakening, calls of the i386 and x32 ABIs pass unfiltered. */
void install_seccomp(int native_only);

#endif
