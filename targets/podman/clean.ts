/**
 * Podman's part of the reaper (model/driver.ts CleanContext): the services dead runs' journals
 * list. Its processes are ended (the process group recorded in its directory, each member
 * checked to name that directory in its command line), then its storage is wiped (./wipe.ts: its containers, a rootless user's
 * pause process, its mounts, the directory). A container's entry goes with its service's: it
 * lived in that storage. Images live there too, so nothing is shared between runs to clean.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { CleanItem } from '../../model/clean-report.js';
import type { CleanContext } from '../../model/driver.js';
import type { Resource } from '../../model/journal.js';
import { serviceDirs } from './dirs.js';
import { terminate } from './service.js';
import { passwdEntry } from './user.js';
import { wipeService } from './wipe.js';

type PodmanEntry = Extract<Resource, { kind: 'podman' }>;

export async function cleanPodman(ctx: Pick<CleanContext, 'entries' | 'keep'>): Promise<CleanItem[]> {
  const entries = ctx.entries.filter((e): e is PodmanEntry => e.kind === 'podman');
  const item: CleanItem = { kind: 'podman services', found: [], remaining: [] };
  for (const e of entries) {
    if (e.what !== 'service' || !fs.existsSync(e.base)) continue;
    item.found.push(e.base);
    const d = serviceDirs(e.base);
    await terminate(readPgid(e.base), e.base);
    const user = e.user ? (passwdEntry(readOr('/etc/passwd'), e.user) ?? undefined) : undefined;
    const left = wipeService(d, user);
    if (left.length > 0) item.remaining.push(`${e.base}: ${left.join('; ')}`);
  }
  for (const e of entries) if (fs.existsSync(e.base)) ctx.keep(e);
  return entries.length > 0 ? [item] : [];
}

function readPgid(base: string): number {
  try {
    return (JSON.parse(fs.readFileSync(path.join(base, 'service.json'), 'utf8')) as { pgid: number }).pgid;
  } catch {
    return 0;
  }
}

function readOr(f: string): string {
  try {
    return fs.readFileSync(f, 'utf8');
  } catch {
    return '';
  }
}
