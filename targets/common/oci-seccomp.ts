/**
 * The seccomp filter an OCI target gets for `seccomp: 'default'`. runc and crun have no default
 * of their own (a config.json without `linux.seccomp` runs unfiltered), so the project writes the
 * same deny-list the built-in runtime installs (targets/builtin/harden.c), in the OCI form: the
 * targets then differ in how they apply a filter, not in which filter they were given.
 */
const EPERM = 1;
const ENOSYS = 38;
const CLONE_NEWUSER = 0x10000000;

/** Keep in step with denied_syscalls[] in targets/builtin/harden.c. */
export const DENIED_SYSCALLS = [
  'keyctl',
  'add_key',
  'request_key',
  'bpf',
  'open_by_handle_at',
  'name_to_handle_at',
  'kexec_load',
  'kexec_file_load',
  'init_module',
  'finit_module',
  'delete_module',
  'mount',
  'umount2',
  'fsopen',
  'fsconfig',
  'fsmount',
  'fspick',
  'move_mount',
  'open_tree',
  'mount_setattr',
  'pivot_root',
  'swapon',
  'swapoff',
  'reboot',
  'io_uring_setup',
  'io_uring_enter',
  'io_uring_register',
  'perf_event_open',
  'settimeofday',
  'clock_settime',
  'clock_adjtime',
  'adjtimex',
  'acct',
  'quotactl',
  'syslog',
  'userfaultfd',
  'lookup_dcookie',
  'vhangup',
];

export function defaultSeccomp(): Record<string, unknown> {
  // Creating a user namespace is refused by flag (the first argument of unshare and clone).
  const newUserArg = { index: 0, value: CLONE_NEWUSER, valueTwo: CLONE_NEWUSER, op: 'SCMP_CMP_MASKED_EQ' };
  return {
    defaultAction: 'SCMP_ACT_ALLOW',
    // Only the native ABI: libseccomp then refuses x32 and foreign-architecture calls.
    architectures: [process.arch === 'arm64' ? 'SCMP_ARCH_AARCH64' : 'SCMP_ARCH_X86_64'],
    syscalls: [
      { names: DENIED_SYSCALLS, action: 'SCMP_ACT_ERRNO', errnoRet: EPERM },
      // clone3 passes its flags in memory a filter cannot read: ENOSYS makes libc fall back to clone.
      { names: ['clone3'], action: 'SCMP_ACT_ERRNO', errnoRet: ENOSYS },
      { names: ['unshare', 'clone'], action: 'SCMP_ACT_ERRNO', errnoRet: EPERM, args: [newUserArg] },
    ],
  };
}
