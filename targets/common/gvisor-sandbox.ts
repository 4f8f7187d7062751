/**
 * The host's view of a gVisor sandbox (model/sandbox.ts), for every target that runs runsc (the
 * gvisor target, Docker with its runsc runtime, a CRI runsc handler). `runsc state` and Docker
 * name the Sentry's pid, not the workload's: the workload's processes exist only inside the
 * Sentry. The gofer is the Sentry's sibling (both are children of whatever started runsc: `runsc
 * run`, or the shim that ran `runsc create`), found by its argv[0] `runsc-gofer` and its
 * `--bundle`, the Sentry's own.
 */
import fs from 'node:fs';
import path from 'node:path';
import { listDir, readOrNull } from '../../host/files.js';
import { capNames, parseStatus } from '../../model/parse/status.js';
import type { SandboxFacts, SandboxProcess } from '../../model/sandbox.js';
import { NAMESPACES } from '../../model/spec.js';

/**
 * The pid file is written before the Sentry has finished booting and installed its seccomp
 * filter: wait for the filter, bounded, so a posture read mid-boot is not taken for the sandbox's.
 * A Sentry that never installs one is read as it is once the bound is past.
 */
export const SENTRY_BOOT_MS = 3000;

export async function observeBootedSandbox(sandboxPid: number, root = '/'): Promise<SandboxFacts> {
  for (const end = Date.now() + SENTRY_BOOT_MS; Date.now() < end; await new Promise((r) => setTimeout(r, 20))) {
    const s = readOrNull(path.join(root, 'proc', String(sandboxPid), 'status'));
    if (s === null || /^Seccomp:\s*[12]$/m.test(s)) break;
  }
  return observeSandbox(sandboxPid, root);
}

/** The Sentry's process, observed while the sandbox lives; then its gofer, if the host finds it. */
export function observeSandbox(sandboxPid: number, root = '/'): SandboxFacts {
  const processes: SandboxProcess[] = [];
  const sandbox = observeProcess('sandbox', sandboxPid, root);
  if (sandbox) processes.push(sandbox);
  const gofer = findGofer(sandboxPid, root);
  const g = gofer === null ? null : observeProcess('gofer', gofer, root);
  if (g) processes.push(g);
  return { processes, cgroup: { paths: [], limits: {} } };
}

function observeProcess(role: SandboxProcess['role'], pid: number, root: string): SandboxProcess | null {
  const proc = path.join(root, 'proc', String(pid));
  const status = readOrNull(path.join(proc, 'status'));
  if (status === null) return null;
  let st: ReturnType<typeof parseStatus>;
  try {
    st = parseStatus(status);
  } catch {
    return null;
  }
  const ns: Record<string, string | null> = {};
  for (const n of NAMESPACES) ns[n] = readLink(path.join(proc, 'ns', n));
  return {
    role,
    pid,
    ns,
    uids: st.uids,
    capEff: capNames(st.capEff).sort(),
    noNewPrivs: st.noNewPrivs,
    seccomp: st.seccomp,
    uidMap: readOrNull(path.join(proc, 'uid_map')),
    procCgroup: readOrNull(path.join(proc, 'cgroup')),
  };
}

/** The `runsc-gofer` child of the Sentry's parent serving the same bundle; null if none is seen. */
export function findGofer(sandboxPid: number, root = '/'): number | null {
  const ppid = parentOf(sandboxPid, root);
  const bundle = bundleOf(argv(sandboxPid, root));
  if (ppid === null) return null;
  for (const entry of listDir(path.join(root, 'proc'))) {
    if (!/^\d+$/.test(entry) || Number(entry) === sandboxPid) continue;
    const a = argv(Number(entry), root);
    if (a[0] !== 'runsc-gofer' || parentOf(Number(entry), root) !== ppid) continue;
    if (bundle === null || bundleOf(a) === bundle) return Number(entry);
  }
  return null;
}

/** `--bundle X` or `--bundle=X` of a runsc command line. */
export function bundleOf(argv: string[]): string | null {
  for (let i = 0; i < argv.length; i++) {
    const m = /^--?bundle(?:=(.*))?$/.exec(argv[i]);
    if (m) return m[1] ?? argv[i + 1] ?? null;
  }
  return null;
}

function argv(pid: number, root: string): string[] {
  return (readOrNull(path.join(root, 'proc', String(pid), 'cmdline')) ?? '').split('\0').filter(Boolean);
}

function parentOf(pid: number, root: string): number | null {
  const stat = readOrNull(path.join(root, 'proc', String(pid), 'stat'));
  // The comm field may hold spaces and parentheses: the fields after its last ')' are fixed.
  const rest = stat?.slice(stat.lastIndexOf(')') + 2).split(' ');
  return rest && rest.length > 1 ? Number(rest[1]) : null;
}

function readLink(p: string): string | null {
  try {
    return fs.readlinkSync(p);
  } catch {
    return null;
  }
}

/** A run's outcome with the sandbox's view: the lifecycle observed the Sentry's pid, whose cgroup is the sandbox's. */
export function withSandbox<O extends { hostFacts: { cgroup: { paths: string[]; limits: Record<string, string> } } }>(
  outcome: O,
  sandbox: SandboxFacts | null,
): O & { sandbox?: SandboxFacts } {
  if (!sandbox) return outcome;
  return { ...outcome, sandbox: { ...sandbox, cgroup: { paths: outcome.hostFacts.cgroup.paths, limits: outcome.hostFacts.cgroup.limits } } };
}
