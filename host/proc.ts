/**
 * The harness's reads of /proc/<pid>/<file>, each through its parser in model/parse/. The proc
 * root is an argument so tests run them on fixture trees instead of the live /proc.
 */
import fs from 'node:fs';
import path from 'node:path';
import { type ProcCgroupEntry, parseProcCgroup } from '../model/parse/cgroup.js';
import { type IdMapEntry, parseIdMap } from '../model/parse/idmap.js';
import { type MountInfo, parseMountinfo } from '../model/parse/mountinfo.js';
import { type ProcStatus, parseStatus } from '../model/parse/status.js';

type Pid = number | 'self';

export function readProcFile(procRoot: string, pid: Pid, file: string): string {
  return fs.readFileSync(path.join(procRoot, String(pid), file), 'utf8');
}

export function readMountinfo(procRoot: string, pid: Pid): MountInfo[] {
  return parseMountinfo(readProcFile(procRoot, pid, 'mountinfo'));
}

export function readIdMap(procRoot: string, pid: Pid, which: 'uid' | 'gid'): IdMapEntry[] {
  return parseIdMap(readProcFile(procRoot, pid, `${which}_map`), `${which}_map`);
}

export function readStatus(procRoot: string, pid: Pid): ProcStatus {
  return parseStatus(readProcFile(procRoot, pid, 'status'));
}

export function readProcCgroup(procRoot: string, pid: Pid): ProcCgroupEntry[] {
  return parseProcCgroup(readProcFile(procRoot, pid, 'cgroup'));
}

/**
 * Field 22 of /proc/<pid>/stat, the start time in clock ticks since boot: with the pid, it names
 * one process for good (a reused pid starts later). Null when the process is gone. The command
 * name (field 2) may hold spaces and parentheses, so fields are counted after its last ')'.
 */
export function procStartTime(pid: number, procRoot = '/proc'): string | null {
  let stat: string;
  try {
    stat = readProcFile(procRoot, pid, 'stat');
  } catch {
    return null;
  }
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
}
