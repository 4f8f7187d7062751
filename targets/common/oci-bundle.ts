/**
 * OCI bundles in the run directory: one read-only root filesystem per target (the built-in
 * runtime's template: the probe, busybox, empty mount points), and per container a directory with
 * config.json, the pid file and a scratch directory owned by the container's root, bound at
 * /scratch, whose files the host inspects afterwards.
 */
import fs from 'node:fs';
import path from 'node:path';
import { intend, own } from '../../host/journal.js';
import { buildTemplate, makeScratch } from './rootfs.js';
import type { ProbeFiles } from '../../model/target.js';

export interface Bundle {
  dir: string;
  scratch: string;
  remove(): Promise<void>;
}

/** The shared root filesystem, built once; removed by the run's cleanup. */
export function buildRootfs(dir: string, files: ProbeFiles): string {
  const intent = intend({ kind: 'dir', path: dir });
  buildTemplate(dir, files);
  own(intent, `rootfs ${dir}`, () => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * A bundle directory for one container. Traversable (0711) because with a user namespace the
 * runtime resolves paths in it as the container's root, an unprivileged host uid.
 */
export function makeBundle(dir: string, rootUid: number, rootGid: number): Bundle {
  const intent = intend({ kind: 'dir', path: dir });
  fs.mkdirSync(dir, { mode: 0o711 });
  const remove = own(intent, `bundle ${dir}`, () => fs.rmSync(dir, { recursive: true, force: true }));
  const scratch = path.join(dir, 'scratch');
  makeScratch(scratch, rootUid, rootGid);
  return { dir, scratch, remove };
}

export function writeConfig(bundle: Bundle, config: unknown): void {
  fs.writeFileSync(path.join(bundle.dir, 'config.json'), `${JSON.stringify(config, null, 2)}\n`, { mode: 0o644 });
}
