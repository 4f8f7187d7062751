/**
 * The two cgroupfs verdicts (probes/cgroupfs.c observes): pure functions of the probe's facts,
 * asserting with chai and returning the evidence, so they are table-tested on fixtures.
 */
import { expect } from 'chai';
import type { CgroupfsFacts, CgroupLeaveFacts } from '../model/facts.js';
import { parseProcCgroup, type ProcCgroupEntry } from '../model/parse/cgroup.js';
import { errnoName, requireNsProof } from './define.js';

const NOT_OBSERVED = 'not observed: the probe predates the cgroupfs facts';

export function cgroupfsReadonly(fs: CgroupfsFacts | undefined): string {
  expect(fs, NOT_OBSERVED).to.not.equal(undefined);
  expect(errnoName(fs!.mountinfo_errno), 'the probe could not read /proc/self/mountinfo').to.equal('success');
  requireNsProof(fs!.refused, 'try mkdir in cgroupfs');
  expect(fs!.refused, `the probe made no mkdir attempt: neither its mount nor its cgroup namespace differs from the host's (${fs!.refused})`).to.equal(null);
  if (fs!.mounts.length === 0) return 'no cgroup or cgroup2 mount inside: there is no cgroupfs to write to';
  const shown = fs!.mounts.map((m) => {
    const made = m.mkdir_errno === 0 ? `made (then removed: ${errnoName(m.rmdir_errno)})` : `refused, ${errnoName(m.mkdir_errno)}`;
    return `${m.mount_point} (${m.fs_type}, root ${m.root}): ${m.ro_option ? 'ro' : 'rw'}, mkdir at its root ${made}`;
  });
  const evidence = `${fs!.mounts.length} cgroup mounts inside: ${shown.join('; ')}`;
  // statvfs sees the mount on top, mountinfo every mount: either saying writable is a finding.
  const writable = fs!.mounts.filter((m) => !m.ro_option || m.rdonly === 0).map((m) => m.mount_point);
  const made = fs!.mounts.filter((m) => m.mkdir_errno === 0).map((m) => m.mount_point);
  expect(writable, `cgroupfs mounted read-write: ${evidence}`).to.deep.equal([]);
  expect(made, `a child cgroup was made at the root of: ${evidence}`).to.deep.equal([]);
  return evidence;
}

function show(entries: ProcCgroupEntry[]): string {
  return entries.map((e) => `${e.controllers.join(',') || (e.hierarchyId === 0 ? 'v2' : `#${e.hierarchyId}`)}:${e.path}`).join(' ');
}

/** Hierarchies whose path changed: "pids: /a → /". */
export function cgroupMoves(before: ProcCgroupEntry[], after: ProcCgroupEntry[]): string[] {
  return after.flatMap((a) => {
    const b = before.find((x) => x.hierarchyId === a.hierarchyId);
    return b && b.path === a.path ? [] : [`${show([a]).split(':')[0]}: ${b?.path ?? '(absent)'} → ${a.path}`];
  });
}

/** What the host saw of the container's cgroups: where it was placed, and its /proc/<pid>/cgroup. */
export interface HostCgroupView {
  paths: string[];
  procCgroup?: string | null;
}

function hostSide(h: HostCgroupView): string {
  const placed = `host placed the container in ${h.paths.join(' ') || 'no cgroup of its own'}`;
  if (h.procCgroup === undefined) return placed;
  return `${placed}; host's view of its /proc/<pid>/cgroup before the probe ran: ${h.procCgroup === null ? 'unreadable' : show(parseProcCgroup(h.procCgroup))}`;
}

export function cannotLeave(leave: CgroupLeaveFacts | undefined, host: HostCgroupView): string {
  expect(leave, NOT_OBSERVED).to.not.equal(undefined);
  const l = leave!;
  requireNsProof(l.refused, 'try to leave its cgroup');
  expect(l.refused, `the probe made no attempt: neither its mount nor its cgroup namespace differs from the host's (${l.refused})`).to.equal(null);
  expect(errnoName(l.errno), 'the child that tries to leave its cgroup did not report back').to.equal('success');
  const before = parseProcCgroup(l.before);
  const after = parseProcCgroup(l.after);
  const tries = l.attempts.map((a) => `${a.path}/cgroup.procs${a.own ? ' (its own cgroup)' : ''}: ${errnoName(a.errno)}`);
  const evidence =
    `/proc/self/cgroup before: ${show(before)}; after: ${show(after)}; ` +
    `its pid written to ${tries.join('; ') || 'nothing (no cgroupfs inside)'}; ${hostSide(host)}`;
  expect(before.length, `/proc/self/cgroup unreadable: ${evidence}`).to.be.greaterThan(0);
  const accepted = l.attempts.filter((a) => a.errno === 0 && !a.own).map((a) => a.path);
  expect(cgroupMoves(before, after), `moved out of its cgroup: ${evidence}`).to.deep.equal([]);
  expect(accepted, `another cgroup's cgroup.procs accepted its pid: ${evidence}`).to.deep.equal([]);
  return evidence;
}
