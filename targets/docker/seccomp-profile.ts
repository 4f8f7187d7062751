/**
 * The seccomp profile a Docker container is declared to get (conformance.seccomp): what its
 * create request names (`SecurityOpt seccomp=unconfined` or a profile's JSON; `Privileged`: none),
 * or else the daemon's built-in default for its version. dockerd holds that default compiled in;
 * Debian ships the same file, for the same release, in golang-github-docker-docker-dev, which
 * scripts/system-deps.sh installs. Another release's file is not this daemon's declaration, so a
 * mismatch is said, never compared.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import type { LifecycleOptions } from '../common/lifecycle.js';

export const DEBIAN_DEFAULT_PROFILE = '/usr/share/gocode/src/github.com/docker/docker/profiles/seccomp/default.json';
const PACKAGE = 'golang-github-docker-docker-dev';

/** "20.10.24+dfsg1-1+deb12u1" → "20.10.24": the upstream release a Debian version packages. */
export function upstreamOf(version: string): string {
  return version.replace(/^\d+:/, '').split(/[+~-]/)[0] ?? version;
}

function packagedVersion(): string | null {
  try {
    return execFileSync('dpkg-query', ['-W', `-f=${'$'}{Version}`, PACKAGE], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() || null;
  } catch {
    return null;
  }
}

/** The declaration for one create request; `engine` is the daemon's "Docker 20.10.24+dfsg1 (API 1.41)". */
export function dockerDeclaredSeccomp(hostConfig: Record<string, unknown>, engine: string | undefined): LifecycleOptions['declaredSeccomp'] {
  if (hostConfig.Privileged === true) return { source: 'Privileged: Docker applies no seccomp profile', by: 'user', profile: null };
  const opt = (Array.isArray(hostConfig.SecurityOpt) ? hostConfig.SecurityOpt.map(String) : []).find((o) => /^seccomp[=:]/.test(o));
  if (opt) {
    const value = opt.slice('seccomp='.length);
    if (value === 'unconfined') return { source: 'SecurityOpt seccomp=unconfined', by: 'user', profile: null };
    if (value !== 'builtin') {
      try {
        return { source: 'SecurityOpt seccomp=<profile JSON>', by: 'user', profile: JSON.parse(value) };
      } catch {
        return { unknown: 'SecurityOpt seccomp= holds no JSON profile (Docker reads the file on the client side; give its contents)' };
      }
    }
  }
  const daemonVersion = /^Docker (\S+)/.exec(engine ?? '')?.[1];
  if (!daemonVersion) return { unknown: "the daemon's version is unknown, so is its default profile" };
  const packaged = packagedVersion();
  if (!packaged || !fs.existsSync(DEBIAN_DEFAULT_PROFILE)) {
    return { unknown: `Docker ${daemonVersion}'s default profile is not on this host (${PACKAGE} ships it as ${DEBIAN_DEFAULT_PROFILE})` };
  }
  if (upstreamOf(packaged) !== upstreamOf(daemonVersion)) {
    return { unknown: `${PACKAGE} ${packaged} holds another release's default profile than the daemon's ${daemonVersion}` };
  }
  const profile = JSON.parse(fs.readFileSync(DEBIAN_DEFAULT_PROFILE, 'utf8'));
  return { source: `Docker ${upstreamOf(daemonVersion)}'s default profile (${DEBIAN_DEFAULT_PROFILE}, ${PACKAGE} ${packaged})`, by: 'runtime', profile };
}
