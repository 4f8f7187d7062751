/**
 * The seccomp profile an engine-API container (Docker, Podman) is declared to get
 * (conformance.seccomp): what its create request names (`SecurityOpt seccomp=unconfined` or a
 * profile's JSON; `Privileged`: none), else the engine's own default, which each kind reads.
 */
import { execFileSync } from 'node:child_process';
import type { LifecycleOptions } from '../lifecycle.js';

export type Declared = LifecycleOptions['declaredSeccomp'];

export function requestedSeccomp(hostConfig: Record<string, unknown>, engine: string): Declared | 'default' {
  if (hostConfig.Privileged === true) return { source: `Privileged: ${engine} applies no seccomp profile`, by: 'user', profile: null };
  const opt = (Array.isArray(hostConfig.SecurityOpt) ? hostConfig.SecurityOpt.map(String) : []).find((o) => /^seccomp[=:]/.test(o));
  if (!opt) return 'default';
  const value = opt.slice('seccomp='.length);
  if (value === 'unconfined') return { source: 'SecurityOpt seccomp=unconfined', by: 'user', profile: null };
  if (value === 'builtin') return 'default';
  try {
    return { source: 'SecurityOpt seccomp=<profile JSON>', by: 'user', profile: JSON.parse(value) };
  } catch {
    return { unknown: 'SecurityOpt seccomp= holds no JSON profile (the client reads the file; give its contents)' };
  }
}

/** The installed Debian package's version, null when it is not installed. */
export function packagedVersion(pkg: string): string | null {
  try {
    return execFileSync('dpkg-query', ['-W', `-f=${'$'}{Version}`, pkg], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() || null;
  } catch {
    return null;
  }
}
