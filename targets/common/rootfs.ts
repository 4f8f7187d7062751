/**
 * Assembles the root filesystem from the project's own static binaries: one template per run,
 * shared read-only by every container (the shim binds it), plus a writable scratch directory per
 * container whose ownership the host inspects afterwards. Only a container that shares the host's
 * mount namespace (no mounts allowed) gets a hard-linked copy of its own instead.
 */
import fs from 'node:fs';
import path from 'node:path';
import { PROBE_PATH, SCRATCH_DIR, type ProbeFiles } from '../../model/target.js';

const DIRS = ['bin', 'proc', 'sys', 'dev', 'tmp', 'etc', SCRATCH_DIR, path.dirname(PROBE_PATH).slice(1)];
const BUSYBOX_LINKS = ['sh', 'true', 'ls', 'cat', 'sleep'];

export function buildTemplate(dir: string, files: ProbeFiles): void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
  for (const d of DIRS) fs.mkdirSync(path.join(dir, d), { recursive: true, mode: 0o755 });
  fs.copyFileSync(files.probe, path.join(dir, PROBE_PATH));
  fs.chmodSync(path.join(dir, PROBE_PATH), 0o755);
  if (files.busybox) {
    fs.copyFileSync(files.busybox, path.join(dir, 'bin/busybox'));
    fs.chmodSync(path.join(dir, 'bin/busybox'), 0o755);
    for (const name of BUSYBOX_LINKS) fs.symlinkSync('busybox', path.join(dir, 'bin', name));
  }
  fs.writeFileSync(path.join(dir, 'etc/hostname'), 'isoprobe\n');
}

/** A scratch directory writable by the container's root only. */
export function makeScratch(dir: string, rootUid: number, rootGid: number): void {
  fs.mkdirSync(dir, { mode: 0o700 });
  fs.chownSync(dir, rootUid, rootGid);
}

/** Copies the template tree into `dir`, hard-linking regular files, with its own scratch. */
export function instantiate(template: string, dir: string, rootUid: number, rootGid: number): void {
  copyTree(template, dir);
  const scratch = path.join(dir, SCRATCH_DIR);
  fs.chownSync(scratch, rootUid, rootGid);
  fs.chmodSync(scratch, 0o700);
}

function copyTree(from: string, to: string): void {
  fs.mkdirSync(to, { mode: 0o755 });
  for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
    const src = path.join(from, entry.name);
    const dst = path.join(to, entry.name);
    if (entry.isDirectory()) copyTree(src, dst);
    else if (entry.isSymbolicLink()) fs.symlinkSync(fs.readlinkSync(src), dst);
    else fs.linkSync(src, dst);
  }
}
