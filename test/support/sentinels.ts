/** Shared by the sentinel tests (test/host/sentinels*.test.ts). */
import { spawnSync } from 'node:child_process';
import { expect } from 'chai';
import { captureHostView } from '../../host/host-view.js';
import type { scanLeftovers } from '../../host/leftovers.js';
import { PROBE_BINARY } from '../../host/paths.js';
import { probeArgs } from '../../host/sentinels.js';
import type { Sentinels } from '../../model/sentinels.js';

/** Runs the real probe with the sentinel options, optionally in fresh namespaces via unshare(1). */
export function probe(s: Sentinels, unshare: string[] = []): Record<string, { errno?: number; found?: boolean }> {
  const argv = [PROBE_BINARY, 'facts', ...probeArgs(s, captureHostView())];
  const r = unshare.length ? spawnSync('unshare', [...unshare, ...argv], { encoding: 'utf8' }) : spawnSync(argv[0], argv.slice(1), { encoding: 'utf8' });
  expect(r.status, r.stderr).to.equal(0);
  return JSON.parse(r.stdout).sentinels;
}

export function mentionsRun(l: ReturnType<typeof scanLeftovers>, s: Sentinels): string[] {
  const keys = [s.shmKey, s.msgKey, s.semKey].map((k) => `key=0x${k.toString(16)} `);
  return Object.values(l)
    .flat()
    .filter((e) => e.includes(s.nonce) || keys.some((k) => e.includes(k)));
}
