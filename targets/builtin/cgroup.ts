/**
 * Cgroup placement and limits for the built-in runtime, cgroup v1 and v2. Every function takes
 * the filesystem locations as data (CgroupLayout), so tests can run on a plain directory tree.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Limits } from '../../model/spec.js';
import type { CgroupLayout, LimitController } from '../../host/cgroup.js';
import { readTrimmed } from '../../host/files.js';
import { LIMIT_FILES } from '../common/observe.js';

const CPU_PERIOD_US = 100_000;
const RMDIR_RETRIES = 500;

export interface CgroupPlacement {
  version: 'v1' | 'v2' | 'none';
  /** Host paths of the container's cgroup directories. */
  paths: string[];
  /** Limits that were requested but cannot be set here, with the reason. */
  unsupported: Partial<Record<LimitController, string>>;
  join(pid: number): void;
  /** The limit files as the host reads them back, e.g. {"pids.max": "64"}. */
  readLimits(): Record<string, string>;
  remove(): Promise<void>;
}

/** The directories createCgroup makes for `name` (what the journal records before they exist). */
export function cgroupPaths(layout: CgroupLayout, name: string): string[] {
  if (layout.version === 'v1')
    return (['pids', 'memory', 'cpu'] as const).flatMap((c) => (layout.controllers[c] ? [path.join(layout.controllers[c]!, 'isoprobe', name)] : []));
  if (layout.version === 'v2') return [path.join(layout.mountpoint, 'isoprobe', name)];
  return [];
}

export function createCgroup(layout: CgroupLayout, name: string, limits: Limits): CgroupPlacement {
  if (layout.version === 'v1') return createV1(layout.controllers, name, limits);
  if (layout.version === 'v2') return createV2(layout.mountpoint, name, limits);
  return {
    version: 'none',
    paths: [],
    unsupported: allUnsupported(limits, 'no cgroup filesystem is mounted'),
    join() {},
    readLimits: () => ({}),
    remove: async () => {},
  };
}

function limitFilesV1(limits: Limits): Record<LimitController, Record<string, string>> {
  return {
    pids: limits.pids !== undefined ? { 'pids.max': String(limits.pids) } : {},
    memory: limits.memoryBytes !== undefined ? { 'memory.limit_in_bytes': String(limits.memoryBytes) } : {},
    cpu: limits.cpus !== undefined ? { 'cpu.cfs_period_us': String(CPU_PERIOD_US), 'cpu.cfs_quota_us': String(Math.round(limits.cpus * CPU_PERIOD_US)) } : {},
  };
}

function createV1(mounts: Partial<Record<LimitController, string>>, name: string, limits: Limits): CgroupPlacement {
  const files = limitFilesV1(limits);
  const dirs: string[] = [];
  const unsupported: Partial<Record<LimitController, string>> = {};
  const written: Record<string, string> = {};
  const placement = {
    version: 'v1' as const,
    paths: dirs,
    unsupported,
    join: (pid: number) => {
      for (const d of dirs) fs.writeFileSync(path.join(d, 'cgroup.procs'), String(pid));
    },
    readLimits: () => readBack({ ...limitFilesIn(dirs, 'v1'), ...written }),
    remove: () => removeDirs(dirs),
  };
  try {
    for (const controller of ['pids', 'memory', 'cpu'] as const) {
      const mount = mounts[controller];
      if (!mount) {
        if (Object.keys(files[controller]).length > 0) unsupported[controller] = `no cgroup v1 "${controller}" hierarchy is mounted`;
        continue;
      }
      const dir = path.join(mount, 'isoprobe', name);
      fs.mkdirSync(dir, { recursive: true });
      dirs.push(dir);
      writeLimitFiles(dir, files[controller], written);
    }
  } catch (e) {
    void placement.remove();
    throw e;
  }
  return placement;
}

function createV2(mountpoint: string, name: string, limits: Limits): CgroupPlacement {
  const parent = path.join(mountpoint, 'isoprobe');
  const dir = path.join(parent, name);
  const available = readWords(path.join(mountpoint, 'cgroup.controllers'));
  const wanted: Record<LimitController, Record<string, string>> = {
    pids: limits.pids !== undefined ? { 'pids.max': String(limits.pids) } : {},
    memory: limits.memoryBytes !== undefined ? { 'memory.max': String(limits.memoryBytes), 'memory.swap.max': '0' } : {},
    cpu: limits.cpus !== undefined ? { 'cpu.max': `${Math.round(limits.cpus * CPU_PERIOD_US)} ${CPU_PERIOD_US}` } : {},
  };
  const unsupported: Partial<Record<LimitController, string>> = {};
  // Every available controller, a limit asked or not: the host then reads "max" where none was
  // asked, as it reads the limit where one was (the conformance checks compare both).
  const enable = (['pids', 'memory', 'cpu'] as const).filter((c) => {
    if (available.includes(c)) return true;
    if (Object.keys(wanted[c]).length > 0) unsupported[c] = `controller "${c}" is not available on the cgroup v2 mount ${mountpoint}`;
    return false;
  });
  fs.mkdirSync(dir, { recursive: true });
  const written: Record<string, string> = {};
  const placement: CgroupPlacement = {
    version: 'v2',
    paths: [dir],
    unsupported,
    join: (pid) => fs.writeFileSync(path.join(dir, 'cgroup.procs'), String(pid)),
    readLimits: () => readBack({ ...limitFilesIn([dir], 'v2'), ...written }),
    remove: () => removeDirs([dir], true),
  };
  try {
    // Controllers must be enabled on every ancestor's subtree_control before the leaf has files.
    const subtree = enable.map((c) => `+${c}`).join(' ');
    if (subtree) {
      fs.writeFileSync(path.join(mountpoint, 'cgroup.subtree_control'), subtree);
      fs.writeFileSync(path.join(parent, 'cgroup.subtree_control'), subtree);
    }
    for (const c of enable) writeLimitFiles(dir, wanted[c], written);
  } catch (e) {
    void placement.remove();
    throw e;
  }
  return placement;
}

/** Writes each limit file, remembering where, so the host can read back what it set. */
function writeLimitFiles(dir: string, files: Record<string, string>, written: Record<string, string>): void {
  for (const [file, value] of Object.entries(files)) {
    const target = path.join(dir, file);
    if (file === 'memory.swap.max' && !fs.existsSync(target)) continue; // swap accounting is off
    fs.writeFileSync(target, value);
    written[target] = file;
  }
}

function allUnsupported(limits: Limits, reason: string): Partial<Record<LimitController, string>> {
  const out: Partial<Record<LimitController, string>> = {};
  if (limits.pids !== undefined) out.pids = reason;
  if (limits.memoryBytes !== undefined) out.memory = reason;
  if (limits.cpus !== undefined) out.cpu = reason;
  return out;
}

function readWords(file: string): string[] {
  return (readTrimmed(file) ?? '').split(/\s+/).filter(Boolean);
}

/**
 * Every limit file present in the container's cgroup directories (v1: each names its controller),
 * so the host reads back the limits it did not set as well (unlimited) as those it set.
 */
function limitFilesIn(dirs: string[], version: 'v1' | 'v2'): Record<string, string> {
  const names = Object.values(LIMIT_FILES[version]).flat();
  const out: Record<string, string> = {};
  for (const d of dirs) for (const f of names) if (fs.existsSync(path.join(d, f))) out[path.join(d, f)] = f;
  return out;
}

function readBack(written: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [file, key] of Object.entries(written)) {
    try {
      out[key] = fs.readFileSync(file, 'utf8').trim();
    } catch (e) {
      out[key] = `unreadable: ${(e as Error).message}`;
    }
  }
  return out;
}

/**
 * rmdir with a bounded retry: a v1 memory cgroup may stay EBUSY for a moment after its last task
 * exited. On v2 a leftover task is killed first through cgroup.kill. The shared "isoprobe" parent
 * goes too once empty (another run may still use it: ENOTEMPTY/EBUSY is then fine).
 */
async function removeDirs(dirs: string[], v2 = false): Promise<void> {
  for (const dir of dirs) {
    if (v2 && fs.existsSync(path.join(dir, 'cgroup.kill'))) {
      try {
        fs.writeFileSync(path.join(dir, 'cgroup.kill'), '1');
      } catch {
        /* already empty */
      }
    }
    await rmdirRetry(dir);
    try {
      fs.rmdirSync(path.dirname(dir));
    } catch {
      /* still in use or gone */
    }
  }
}

async function rmdirRetry(dir: string): Promise<void> {
  for (let i = 0; ; i++) {
    try {
      fs.rmdirSync(dir);
      return;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return;
      if (code !== 'EBUSY' || i >= RMDIR_RETRIES) throw e;
      await new Promise((r) => setTimeout(r, 2));
    }
  }
}
