/**
 * The seccomp profile a Docker container is declared to get (conformance.seccomp): what its
 * create request names (../common/engine-api/seccomp-request.ts), or else the daemon's built-in
 * default for its version. dockerd holds that default compiled in;
 * Debian ships the same file, for the same release, in golang-github-docker-docker-dev, which
 * scripts/system-deps.sh installs. Another release's file is not this daemon's declaration, so a
 * mismatch is said, never compared.
 */
import fs from 'node:fs';
import { type Declared, packagedVersion, requestedSeccomp } from '../common/engine-api/seccomp-request.js';

export const DEBIAN_DEFAULT_PROFILE = '/usr/share/gocode/src/github.com/docker/docker/profiles/seccomp/default.json';
const PACKAGE = 'golang-github-docker-docker-dev';

/** "20.10.24+dfsg1-1+deb12u1" → "20.10.24": the upstream release a Debian version packages. */
export function upstreamOf(version: string): string {
  return version.replace(/^\d+:/, '').split(/[+~-]/)[0] ?? version;
}

/** The declaration for one create request; `engine` is the daemon's "Docker 20.10.24+dfsg1 (API 1.41)". */
export function dockerDeclaredSeccomp(hostConfig: Record<string, unknown>, engine: string | undefined): Declared {
  const asked = requestedSeccomp(hostConfig, 'Docker');
  if (asked !== 'default') return asked;
  const daemonVersion = /^Docker (\S+)/.exec(engine ?? '')?.[1];
  if (!daemonVersion) return { unknown: "the daemon's version is unknown, so is its default profile" };
  const packaged = packagedVersion(PACKAGE);
  if (!packaged || !fs.existsSync(DEBIAN_DEFAULT_PROFILE)) {
    return { unknown: `Docker ${daemonVersion}'s default profile is not on this host (${PACKAGE} ships it as ${DEBIAN_DEFAULT_PROFILE})` };
  }
  if (upstreamOf(packaged) !== upstreamOf(daemonVersion)) {
    return { unknown: `${PACKAGE} ${packaged} holds another release's default profile than the daemon's ${daemonVersion}` };
  }
  const profile = JSON.parse(fs.readFileSync(DEBIAN_DEFAULT_PROFILE, 'utf8'));
  return { source: `Docker ${upstreamOf(daemonVersion)}'s default profile (${DEBIAN_DEFAULT_PROFILE}, ${PACKAGE} ${packaged})`, by: 'runtime', profile };
}
