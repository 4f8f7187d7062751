/*
 * The built-in runtime's hardening steps, called by shim.c's container init and reporting through
 * its STEP/fail_step (shim.h). Three of them, modelled on what runc applies for Docker's defaults:
 *
 *  - masked paths (OCI linux.maskedPaths): a file is covered by a bind of /dev/null (char 1:3),
 *    a directory by an empty read-only tmpfs — the two forms CVE-2025-31133 says are "masked";
 *  - read-only paths (OCI linux.readonlyPaths): a recursive read-only bind of the path itself;
 *  - a seccomp deny-list (classic BPF): EPERM for the syscalls a container has no business
 *    calling (kernel keyrings, bpf, module and kexec loading, mounts and the new mount API,
 *    swap, reboot, io_uring, perf, clock setting, handle-based opens) and for creating user
 *    namespaces through unshare/clone; clone3 gets ENOSYS (its flags live in memory a classic
 *    filter cannot read, so libc falls back to clone, which the filter can inspect); any x32
 *    syscall and any foreign architecture get EPERM (with --seccomp-native-only, a negative
 *    control, both pass unfiltered: the ABI-bypass class). ptrace stays allowed, as in Docker's
 *    profile since kernel 4.8: CAP_SYS_PTRACE (not in the default set) is its gate.
 * The filter is installed after the rootfs is ready and before the capabilities are dropped,
 * so every later step of the shim (prctl, capset, close_range, execve) is one it allows.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/mount.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "shim.h"

#if defined(__x86_64__)
#define SECCOMP_ARCH AUDIT_ARCH_X86_64
#define X32_BIT 0x40000000U
#elif defined(__aarch64__)
#define SECCOMP_ARCH AUDIT_ARCH_AARCH64
#else
#error "isoprobe-shim: no seccomp architecture for this target"
#endif

static const char *const masked_paths[] = {"/proc/kcore",       "/proc/keys",          "/proc/timer_list",
                                           "/proc/sched_debug", "/proc/latency_stats", "/proc/scsi",
                                           "/proc/acpi",        "/sys/firmware",       "/sys/devices/virtual/powercap"};
static const char *const readonly_paths[] = {"/proc/sys", "/proc/sysrq-trigger", "/proc/irq", "/proc/bus"};

static const long denied_syscalls[] = {
    /* kernel keyrings, bpf, handle-based opens */
    SYS_keyctl, SYS_add_key, SYS_request_key, SYS_bpf, SYS_open_by_handle_at, SYS_name_to_handle_at,
    /* kexec and kernel modules */
    SYS_kexec_load, SYS_kexec_file_load, SYS_init_module, SYS_finit_module, SYS_delete_module,
    /* mounts, the new mount API, pivot_root */
    SYS_mount, SYS_umount2, SYS_fsopen, SYS_fsconfig, SYS_fsmount, SYS_fspick, SYS_move_mount, SYS_open_tree,
    SYS_mount_setattr, SYS_pivot_root,
    /* swap, reboot, io_uring, perf */
    SYS_swapon, SYS_swapoff, SYS_reboot, SYS_io_uring_setup, SYS_io_uring_enter, SYS_io_uring_register,
    SYS_perf_event_open,
    /* setting the clocks */
    SYS_settimeofday, SYS_clock_settime, SYS_clock_adjtime, SYS_adjtimex,
    /* accounting, quotas, the kernel log, userfaultfd, dcookies, vhangup */
    SYS_acct, SYS_quotactl, SYS_syslog, SYS_userfaultfd, SYS_lookup_dcookie, SYS_vhangup};
#define N_DENIED (sizeof denied_syscalls / sizeof *denied_syscalls)

/* Recursive read-only: mount_setattr keeps the locked flags (nosuid, nodev, atime) as they are. */
int make_readonly(const char *target) {
  struct mount_attr attr = {.attr_set = MOUNT_ATTR_RDONLY};
  if (syscall(SYS_mount_setattr, -1, target, AT_RECURSIVE, &attr, sizeof attr) == 0) return 0;
  if (errno != ENOSYS) return -1;
  struct statvfs v;
  if (statvfs(target, &v) < 0) return -1;
  unsigned long keep = v.f_flag & (ST_NOSUID | ST_NODEV | ST_NOEXEC | ST_NOATIME | ST_NODIRATIME | ST_RELATIME);
  return mount(NULL, target, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | keep, NULL);
}

void mask_paths(const char *root) {
  char target[4096];
  struct stat st;
  for (size_t i = 0; i < sizeof masked_paths / sizeof *masked_paths; i++) {
    snprintf(target, sizeof target, "%s%s", root, masked_paths[i]);
    if (lstat(target, &st) < 0) {
      if (errno == ENOENT) continue; /* nothing to hide */
      fail_step("mask");
    }
    if (S_ISDIR(st.st_mode)) {
      STEP("mask", mount("tmpfs", target, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=4k,mode=555"));
    } else {
      STEP("mask", mount("/dev/null", target, NULL, MS_BIND, NULL));
    }
  }
}

void readonly_paths_setup(const char *root) {
  char target[4096];
  for (size_t i = 0; i < sizeof readonly_paths / sizeof *readonly_paths; i++) {
    snprintf(target, sizeof target, "%s%s", root, readonly_paths[i]);
    if (access(target, F_OK) < 0) {
      if (errno == ENOENT) continue;
      fail_step("readonly");
    }
    STEP("readonly", mount(target, target, NULL, MS_BIND | MS_REC, NULL));
    STEP("readonly", make_readonly(target));
  }
}

#define DENY(err) BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (err))
#define ALLOW BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)

void install_seccomp(int native_only) {
  struct sock_filter prog[8 + 2 * N_DENIED + 8];
  size_t n = 0;
  prog[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch));
  prog[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SECCOMP_ARCH, 1, 0);
  prog[n++] = native_only ? (struct sock_filter)ALLOW : (struct sock_filter)DENY(EPERM);
  prog[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr));
#ifdef X32_BIT
  prog[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, X32_BIT, 0, 1);
  prog[n++] = native_only ? (struct sock_filter)ALLOW : (struct sock_filter)DENY(EPERM);
#endif
  for (size_t i = 0; i < N_DENIED; i++) {
    prog[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (unsigned)denied_syscalls[i], 0, 1);
    prog[n++] = (struct sock_filter)DENY(EPERM);
  }
  prog[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_clone3, 0, 1);
  prog[n++] = (struct sock_filter)DENY(ENOSYS);
  /* unshare(flags) and clone(flags, ...): flags is the first argument (low word, little-endian). */
  prog[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_unshare, 1, 0);
  prog[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_clone, 0, 3);
  prog[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[0]));
  prog[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, CLONE_NEWUSER, 0, 1);
  prog[n++] = (struct sock_filter)DENY(EPERM);
  prog[n++] = (struct sock_filter)ALLOW;
  struct sock_fprog fprog = {.len = (unsigned short)n, .filter = prog};
  STEP("seccomp", prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &fprog, 0, 0));
}
