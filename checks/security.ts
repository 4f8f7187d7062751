/**
 * security area: capabilities, seccomp, no_new_privs, dangerous syscalls, devices and the kernel
 * interfaces under /proc and /sys. Each syscall was called with arguments the kernel rejects
 * before acting (probes/README.md, "security"), so only the errno is judged: refused (EPERM,
 * EACCES, ENOSYS) versus reachable (any argument error, or success).
 */
import { AssertionError, expect } from 'chai';
import { skip, type CheckContext, type Evidence } from '../model/check.js';
import type { RawFile, SecurityFacts } from '../model/facts.js';
import { judgeLabel } from '../model/lsm.js';
import { capNames, parseStatus } from '../model/parse/status.js';
import { DEFAULT_CAPS } from '../model/spec.js';
import {
  builtin,
  BUILTIN_PRIVILEGED,
  capAdds,
  docker,
  DOCKER_PRIVILEGED,
  DOCKER_SECCOMP_UNCONFINED,
  DOCKER_SYSTEMPATHS_UNCONFINED,
  engines,
  FIREJAIL_SECCOMP_NONE,
  PODMAN_PRIVILEGED,
  PODMAN_SECCOMP_UNCONFINED,
  PODMAN_UNMASK_ALL,
  share,
} from './controls.js';
import { check, errnoName, refused, requireHostNsGiven, requireNoNewPrivsLine, requireNsProof } from './define.js';
import { compareAbi } from '../model/seccomp/abi.js';
import { judgeDangerousWithProbe } from './dangerous-syscalls.js';
import { seccompStack } from './seccomp-stack.js';
import { askedText } from './asked.js';

export const ALL = ['baseline', 'restricted', 'strict'] as const;
const STRICTER = ['restricted', 'strict'] as const;
const OCI_CAPS = 'OCI runtime spec: process.capabilities';
/** Any capability beyond the default set flips the capability checks. */
const ANY_CAP = [builtin({ caps: 'all' }), BUILTIN_PRIVILEGED, ...capAdds('SYS_ADMIN'), ...capAdds('SYS_PTRACE'), ...capAdds('SYS_TIME')];
const NO_SECCOMP = builtin({ seccomp: 'none' });
const LOOP0 = { PathOnHost: '/dev/loop0', PathInContainer: '/dev/loop0', CgroupPermissions: 'rwm' };

/** Docker's default set (one list, in the model: what caps 'default' asks for). */
export { DEFAULT_CAPS };
/** Never in a container that is not privileged: each is a known path to the host. */
export const HOST_CAPS = [
  'CAP_SYS_ADMIN',
  'CAP_SYS_MODULE',
  'CAP_SYS_TIME',
  'CAP_SYS_PTRACE',
  'CAP_SYS_BOOT',
  'CAP_SYS_RAWIO',
  'CAP_DAC_READ_SEARCH',
  'CAP_NET_ADMIN',
  'CAP_BPF',
  'CAP_PERFMON',
  'CAP_SYSLOG',
  'CAP_MAC_ADMIN',
];
/** The syscalls a container must not reach (the ptrace case has its own check: a capability gates it). */
export const DANGEROUS_SYSCALLS = [
  'keyctl',
  'add_key',
  'bpf',
  'open_by_handle_at',
  'kexec_load',
  'init_module',
  'mount',
  'umount2',
  'swapon',
  'reboot',
  'io_uring_setup',
  'perf_event_open',
  'unshare_user',
] as const;

const EPERM = 1;
const EACCES = 13;
const EROFS = 30;
const ENOENT = 2;
export { refused };

/** The security facts; a probe without them is a broken harness (thrown → 'error'), not a verdict. */
export function sec(ctx: Pick<Evidence, 'container'>): SecurityFacts {
  if (!ctx.container.security) throw new Error('the probe reported no security facts (probe older than the harness?)');
  return ctx.container.security;
}

function status(ctx: Pick<Evidence, 'container'>) {
  return parseStatus(ctx.container.files.status.text);
}

/** A masked path is masked the right way (CVE-2025-31133): absent, /dev/null (char 1:3), or an empty read-only tmpfs. */
export function maskedRightly(p: SecurityFacts['masked'][number]): boolean {
  if (p.errno === ENOENT) return true;
  if (p.errno !== 0 || p.mode === undefined) return false;
  const type = p.mode & 0o170000;
  if (type === 0o020000) return p.rdev === '1:3';
  return type === 0o040000 && p.fs_type === 0x01021994 && p.rdonly === 1 && p.entries === 0;
}

function describePath(p: SecurityFacts['masked'][number]): string {
  if (p.errno) return `${p.path}: ${errnoName(p.errno)}`;
  return `${p.path}: mode ${p.mode?.toString(8)} rdev ${p.rdev} fs 0x${p.fs_type?.toString(16)} ro=${p.rdonly} entries=${p.entries}`;
}

export const securityChecks = [
  check(
    {
      id: 'security.caps-default-set',
      area: 'security',
      title: "no capability beyond Docker's default set, none inheritable or ambient",
      profiles: [...ALL],
      references: [
        OCI_CAPS,
        'CIS Docker 5.3 (restrict Linux kernel capabilities)',
        'Kubernetes Pod Security Standards baseline: capabilities',
        'CVE-2022-24769',
      ],
      needs: ['container'],
      settings: ['caps'],
      negativeControls: [...ANY_CAP, DOCKER_PRIVILEGED, PODMAN_PRIVILEGED],
    },
    (ctx) => {
      const s = status(ctx);
      const extra = (mask: bigint) => capNames(mask).filter((c) => !DEFAULT_CAPS.includes(c));
      const observed = {
        effective: extra(s.capEff),
        permitted: extra(s.capPrm),
        bounding: extra(s.capBnd),
        inheritable: capNames(s.capInh),
        ambient: capNames(s.capAmb),
      };
      const evidence = `beyond the default set: ${JSON.stringify(observed)}`;
      expect(observed, evidence).to.deep.equal({ effective: [], permitted: [], bounding: [], inheritable: [], ambient: [] });
      return `CapEff ${capNames(s.capEff).length} capabilities, all in the default set; ${evidence}`;
    },
  ),
  check(
    {
      id: 'security.no-host-caps',
      area: 'security',
      title: 'CAP_SYS_ADMIN, CAP_SYS_MODULE, CAP_SYS_TIME, CAP_SYS_PTRACE and the other host-reaching capabilities are absent',
      profiles: [...ALL],
      references: [OCI_CAPS, 'CIS Docker 5.3, 5.4 (no privileged containers)', 'capabilities(7)'],
      needs: ['container'],
      settings: ['caps'],
      negativeControls: [...ANY_CAP, DOCKER_PRIVILEGED, PODMAN_PRIVILEGED],
    },
    (ctx) => {
      const s = status(ctx);
      const held = [...new Set([...capNames(s.capEff), ...capNames(s.capBnd)])].filter((c) => HOST_CAPS.includes(c));
      const evidence = `held (effective or bounding): ${held.join(' ') || 'none'} of ${HOST_CAPS.join(' ')}`;
      expect(held, evidence).to.deep.equal([]);
      return evidence;
    },
  ),
  check(
    {
      id: 'security.seccomp-filter',
      area: 'security',
      title: 'a seccomp filter is active (Seccomp: 2)',
      profiles: [...ALL],
      references: [
        'OCI runtime spec: linux.seccomp',
        'CIS Docker 5.21 (default seccomp profile not disabled)',
        'Kubernetes Pod Security Standards restricted: seccompProfile',
      ],
      needs: ['container'],
      settings: ['seccomp'],
      negativeControls: [NO_SECCOMP, BUILTIN_PRIVILEGED, DOCKER_SECCOMP_UNCONFINED, DOCKER_PRIVILEGED, PODMAN_SECCOMP_UNCONFINED, PODMAN_PRIVILEGED],
    },
    (ctx) => {
      const s = status(ctx);
      const filters = /^Seccomp_filters:\s*(\d+)/m.exec(ctx.container.files.status.text)?.[1] ?? 'n/a';
      const evidence = `Seccomp: ${s.seccomp}, Seccomp_filters: ${filters}`;
      expect(s.seccomp, evidence).to.equal(2);
      return evidence;
    },
  ),
  check(
    {
      id: 'security.dangerous-syscalls-refused',
      area: 'security',
      title:
        'every dangerous syscall of model/seccomp/dangerous.ts is refused over the whole x86_64 table (by the filter, or held by a capability the container lacks), and the probe reaches none',
      profiles: [...ALL],
      references: [
        'OCI runtime spec: linux.seccomp',
        'CIS Docker 5.21',
        'Docker default seccomp profile',
        'CVE-2022-0185',
        'CVE-2021-3490 (bpf)',
        'CVE-2023-2598 (io_uring)',
      ],
      needs: ['container', 'observed'],
      // Refused by the seccomp filter or for want of a capability (mount: CAP_SYS_ADMIN).
      settings: ['seccomp', 'caps'],
      // Every capability in its own user namespace opens the namespace calls the filter leaves to CAP_SYS_ADMIN.
      negativeControls: [NO_SECCOMP, BUILTIN_PRIVILEGED, builtin({ caps: 'all' }), DOCKER_SECCOMP_UNCONFINED, PODMAN_SECCOMP_UNCONFINED],
    },
    (ctx) => {
      const calls = sec(ctx).syscalls;
      const tried = DANGEROUS_SYSCALLS.map((n) => `${n}: ${errnoName(calls[n])}`).join(', ');
      if (ctx.capabilities.ownKernel)
        skip(
          'evidence',
          `${ctx.capabilities.ownKernel}: these calls reach that kernel, not the host's (inside: ${tried}); the host-side filter of the sandbox is judged by security.sandbox-unprivileged`,
        );
      const j = judgeDangerousWithProbe(seccompStack(ctx.observed), status(ctx), calls, ctx.observed.uidMap);
      const evidence = `x86_64 over the whole table: ${j.summary}; probe: ${tried}`;
      expect(j.failures, `${j.failures.join('; ')}\nevidence: ${evidence}`).to.deep.equal([]);
      return evidence;
    },
  ),
  check(
    {
      id: 'security.seccomp-abi',
      area: 'security',
      title: 'the i386 and x32 ABIs are refused, or filtered like x86_64: no call gets further through them than natively',
      profiles: [...ALL],
      references: ['seccomp(2) "the architecture"', 'Docker default seccomp profile (archMap)', 'CVE-2009-0835'],
      needs: ['observed'],
      settings: ['seccomp'],
      negativeControls: [
        builtin({ seccompNativeOnly: true }),
        NO_SECCOMP,
        BUILTIN_PRIVILEGED,
        DOCKER_SECCOMP_UNCONFINED,
        DOCKER_PRIVILEGED,
        PODMAN_SECCOMP_UNCONFINED,
        PODMAN_PRIVILEGED,
      ],
    },
    (ctx) => {
      if (ctx.capabilities.ownKernel)
        skip('evidence', `${ctx.capabilities.ownKernel}: the workload's calls reach that kernel; its host filter is the sandbox's`);
      const stack = seccompStack(ctx.observed);
      expect(stack.length, 'no seccomp filter: the i386 and x32 ABIs reach the kernel unfiltered, as the native one does').to.be.above(0);
      const results = (['i386', 'x32'] as const).map((abi) => compareAbi(stack, abi));
      const evidence = results
        .map((r) => `${r.abi}: ${r.refusedWhole ? 'every call refused' : `${r.compared} calls compared with x86_64, ${r.looser.length} looser`}`)
        .join('; ');
      const looser = results.flatMap((r) => r.looser);
      expect(looser, `${looser.slice(0, 12).join('; ')}${looser.length > 12 ? `; … ${looser.length - 12} more` : ''}\nevidence: ${evidence}`).to.deep.equal([]);
      return evidence;
    },
  ),
  check(
    {
      id: 'security.no-new-privs',
      area: 'security',
      title: 'no_new_privs is set: setuid binaries and file capabilities grant nothing',
      profiles: [...STRICTER],
      references: [
        'OCI runtime spec: process.noNewPrivileges',
        'CIS Docker 5.25 (no-new-privileges)',
        'Kubernetes Pod Security Standards restricted: allowPrivilegeEscalation=false',
      ],
      needs: ['container'],
      settings: ['noNewPrivs'],
      negativeControls: [
        builtin({ noNewPrivs: false }),
        BUILTIN_PRIVILEGED,
        { kind: 'docker', settings: { noNewPrivs: false } },
        { kind: 'podman', settings: { noNewPrivs: false } },
      ],
    },
    (ctx) => {
      requireNoNewPrivsLine(status(ctx).noNewPrivs);
      const evidence = `NoNewPrivs: ${status(ctx).noNewPrivs} (${askedText(ctx.request, 'noNewPrivs')})`;
      expect(status(ctx).noNewPrivs, evidence).to.equal(true);
      return evidence;
    },
  ),
  check(
    {
      id: 'security.ptrace-refused',
      area: 'security',
      title: 'a non-dumpable process that is not a child cannot be ptrace-attached',
      profiles: [...ALL],
      references: ['ptrace(2) "Ptrace access mode checking"', 'CIS Docker 5.3', 'Docker default seccomp profile (ptrace gated by CAP_SYS_PTRACE)'],
      needs: ['container'],
      // seccomp too: a filter that refuses ptrace(2) holds it whatever the capabilities (firejail's).
      settings: ['caps', 'seccomp'],
      negativeControls: [builtin({ caps: 'all' }), BUILTIN_PRIVILEGED, ...capAdds('SYS_PTRACE'), FIREJAIL_SECCOMP_NONE],
    },
    (ctx) => {
      const e = sec(ctx).syscalls.ptrace_attach;
      const evidence = `PTRACE_ATTACH to a non-dumpable sibling: ${errnoName(e)}`;
      expect(refused(e), evidence).to.equal(true);
      return evidence;
    },
  ),
  ...pathChecks(),
  lsmCheck(),
];

function pathChecks() {
  return [
    check(
      {
        id: 'security.devices-limited',
        area: 'security',
        title: 'no block device can be made and opened; /dev/mem, /dev/kmem, /dev/port and host disks are absent',
        profiles: [...ALL],
        references: [
          'OCI runtime spec: linux.devices, linux.resources.devices',
          'CIS Docker 5.17 (host devices not exposed)',
          'Kubernetes Pod Security Standards baseline: privileged',
        ],
        needs: ['container'],
        // The device cgroup rules that also decide it are no request setting.
        settings: ['ns.mnt', 'caps'],
        negativeControls: [share('mnt'), ...engines({ Devices: [LOOP0] }), DOCKER_PRIVILEGED, PODMAN_PRIVILEGED],
      },
      (ctx) => {
        const s = sec(ctx);
        const m = s.mknod_block;
        const usable = m.refused === null && m.errno === 0 && m.open_errno === 0;
        const hostDevs = s.devices.host.filter((d) => d.errno !== ENOENT).map((d) => d.path);
        const evidence =
          `mknod block 7:0: ${m.refused ?? errnoName(m.errno)}${m.errno === 0 && !m.refused ? `, open: ${errnoName(m.open_errno)}` : ''}; ` +
          `present: ${[...hostDevs, ...s.devices.block].join(' ') || 'none'}`;
        requireNsProof(m.refused, 'mknod a block device');
        requireHostNsGiven(ctx, m.refused, 'mknod a block device');
        expect(m.refused, `the probe refused to mknod: ${evidence}`).to.equal(null);
        expect(usable, `a block device could be made and opened: ${evidence}`).to.equal(false);
        expect([...hostDevs, ...s.devices.block], evidence).to.deep.equal([]);
        return evidence;
      },
    ),
    check(
      {
        id: 'security.readonly-paths',
        area: 'security',
        title: '/proc/sys, /proc/sysrq-trigger, /proc/irq and /proc/bus are read-only; a sysctl cannot be opened for writing',
        profiles: [...ALL],
        references: [
          'OCI runtime spec: linux.readonlyPaths',
          'Kubernetes Pod Security Standards baseline: procMount',
          'CIS Docker 5.12 (read-only where possible)',
        ],
        needs: ['container'],
        settings: ['readonlyPaths', 'ns.mnt'],
        negativeControls: [share('mnt'), DOCKER_SYSTEMPATHS_UNCONFINED, DOCKER_PRIVILEGED, PODMAN_UNMASK_ALL, PODMAN_PRIVILEGED],
      },
      (ctx) => {
        const s = sec(ctx);
        const writable = s.readonly.filter((p) => p.errno !== ENOENT && p.rdonly !== 1).map((p) => p.path);
        const evidence = `${s.readonly.map((p) => `${p.path}: ${p.errno ? errnoName(p.errno) : `ro=${p.rdonly}`}`).join(', ')}; open(${s.sysctl_write.path}, O_WRONLY): ${errnoName(s.sysctl_write.errno)}`;
        expect(writable, `not mounted read-only: ${evidence}`).to.deep.equal([]);
        expect(s.sysctl_write.errno, `a sysctl opened for writing: ${evidence}`).to.be.oneOf([EROFS, EACCES, EPERM]);
        return evidence;
      },
    ),
    check(
      {
        id: 'security.sys-readonly',
        area: 'security',
        title: '/sys is mounted read-only',
        profiles: [...ALL],
        references: ['OCI runtime spec: mounts (sysfs ro)', 'CIS Docker 5.4'],
        needs: ['container'],
        settings: ['ns.mnt'],
        negativeControls: [share('mnt'), DOCKER_PRIVILEGED, PODMAN_PRIVILEGED],
      },
      (ctx) => {
        const s = sec(ctx).sys;
        const evidence = `statvfs(/sys) read-only: ${s.rdonly}, access(/sys, W_OK): ${errnoName(s.access_errno)}`;
        // A sandbox's own kernel may not flag the mount (gVisor's statvfs says writable) yet refuse the write: EROFS is read-only too.
        expect(s.rdonly === 1 || s.access_errno === EROFS, evidence).to.equal(true);
        expect(s.access_errno, evidence).to.not.equal(0);
        return evidence;
      },
    ),
    check(
      {
        id: 'security.masked-paths',
        area: 'security',
        title: 'masked paths are masked the right way: absent, /dev/null (char 1:3) or an empty read-only tmpfs',
        profiles: [...ALL],
        references: ['OCI runtime spec: linux.maskedPaths', 'CVE-2025-31133', 'Kubernetes Pod Security Standards baseline: procMount'],
        needs: ['container'],
        settings: ['maskedPaths', 'ns.mnt'],
        negativeControls: [share('mnt'), DOCKER_SYSTEMPATHS_UNCONFINED, DOCKER_PRIVILEGED, PODMAN_UNMASK_ALL, PODMAN_PRIVILEGED],
      },
      (ctx) => {
        const masked = sec(ctx).masked;
        const wrong = masked.filter((p) => !maskedRightly(p));
        const evidence = masked.map(describePath).join('; ');
        expect(
          wrong.map((p) => p.path),
          `not masked: ${wrong.map(describePath).join('; ')}`,
        ).to.deep.equal([]);
        return evidence;
      },
    ),
  ];
}

/**
 * The label is judged only where the host enables a labelling LSM (decided host-side: a container's
 * /sys may be masked): elsewhere every process reads "unconfined" or EINVAL, and nothing is learnt.
 */
function lsmCheck() {
  return check(
    {
      id: 'security.lsm-confined',
      area: 'security',
      title: 'the container runs under an AppArmor profile in enforce mode, or a confined SELinux type, where the host enables one',
      profiles: [...ALL],
      references: [
        'OCI runtime spec: process.apparmorProfile, process.selinuxLabel',
        'CIS Docker 5.1 (AppArmor profile enabled)',
        'CIS Docker 5.2 (SELinux security options)',
        'Kubernetes Pod Security Standards baseline: AppArmor (must not be set to unconfined), SELinux',
      ],
      needs: ['container', 'reference'],
      // The LSM profile is no request setting (model/request.ts); the target's capabilities say whether one is applied.
      settings: [],
      negativeControls: [docker({ SecurityOpt: ['apparmor=unconfined'] }), DOCKER_PRIVILEGED, PODMAN_PRIVILEGED],
    },
    (ctx) => {
      const lsm = ctx.reference.lsm;
      if (!lsm.active) skip('lsm', `the host enables no AppArmor or SELinux (${lsm.evidence})`);
      const asked = ctx.capabilities.lsmProfile;
      if (!asked.applied) skip('target-feature', `${ctx.target} applies no ${lsm.active} profile: ${asked.why}`);
      const file = labelFile(ctx, lsm.active);
      const evidence = `host: ${lsm.evidence}; container label: ${file.errno ? `unreadable (${errnoName(file.errno)})` : JSON.stringify(file.text)}`;
      expect(file.errno, `the container's ${lsm.active} label could not be read: ${evidence}`).to.equal(0);
      const judged = judgeLabel(lsm.active, file.text);
      if (!judged.confined) {
        throw new AssertionError(`${judged.why}: ${evidence}`, { expected: `a confining ${lsm.active} label`, actual: judged.label });
      }
      return `${judged.why}; ${evidence}`;
    },
  );
}

/** AppArmor's own attr file where the kernel has it (attr/current may belong to another stacked LSM). */
function labelFile(ctx: CheckContext<'container'>, lsm: 'apparmor' | 'selinux'): RawFile {
  const { attr_current: current, apparmor_current: apparmor } = ctx.container.files;
  if (!current) throw new Error('the probe reported no LSM label (probe older than the harness?)');
  return lsm === 'apparmor' && apparmor && apparmor.errno === 0 ? apparmor : current;
}
