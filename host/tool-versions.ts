/**
 * The versions of the isolation tools installed on the host, for the environment fingerprint:
 * a matrix compared across machines is read with them (a verdict that changed with runc's version
 * is a different finding from one that changed with the config). Each tool is asked once, bounded.
 */
import { spawnSync } from 'node:child_process';
import { findBinary } from './which.js';

/** The tools whose version explains results; the binaries the targets (and Docker's daemon) run. */
export const ISOLATION_TOOLS = ['dockerd', 'runc', 'crun', 'runsc', 'podman', 'containerd', 'bwrap', 'firejail', 'systemd-nspawn', 'lxc-execute'] as const;

const VERSION_TIMEOUT_MS = 3000;

/** `tool.<name>`: the first line of `<name> --version` for each tool found in PATH; absent tools are left out. */
export function isolationToolVersions(tools: readonly string[] = ISOLATION_TOOLS): Record<string, string> {
  const out: Record<string, string> = {};
  for (const tool of tools) {
    const bin = findBinary(tool);
    if (!bin) continue;
    const r = spawnSync(bin, ['--version'], { encoding: 'utf8', timeout: VERSION_TIMEOUT_MS, stdio: ['ignore', 'pipe', 'pipe'] });
    out[`tool.${tool}`] = r.error ? `unknown (${r.error.message})` : (firstVersionLine(`${r.stdout ?? ''}\n${r.stderr ?? ''}`) ?? `unknown (exit ${r.status})`);
  }
  return out;
}

/** The first non-empty line of a `--version` answer, at most 120 characters; null when there is none. */
export function firstVersionLine(text: string): string | null {
  const line = text
    .split('\n')
    .map((l) => l.trim())
    .find((l) => l !== '');
  return line === undefined ? null : line.slice(0, 120);
}
