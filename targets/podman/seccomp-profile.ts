/**
 * The seccomp profile a Podman container is declared to get (conformance.seccomp): what its
 * create request names (../common/engine-api/seccomp-request.ts), else Podman's default, the
 * containers-common file containers.conf's `seccomp_profile` names (its default:
 * /usr/share/containers/seccomp.json; /etc/containers/seccomp.json first where it exists). A
 * containers.conf naming another file is said, not guessed.
 */
import fs from 'node:fs';
import { type Declared, packagedVersion, requestedSeccomp } from '../common/engine-api/seccomp-request.js';

const CONFS = ['/etc/containers/containers.conf', '/usr/share/containers/containers.conf'];
const DEFAULTS = ['/etc/containers/seccomp.json', '/usr/share/containers/seccomp.json'];

export function podmanDeclaredSeccomp(hostConfig: Record<string, unknown>): Declared {
  const asked = requestedSeccomp(hostConfig, 'Podman');
  if (asked !== 'default') return asked;
  for (const conf of CONFS) {
    const set = fs.existsSync(conf) ? /^\s*seccomp_profile\s*=\s*"([^"]*)"/m.exec(fs.readFileSync(conf, 'utf8')) : null;
    if (set) return { unknown: `${conf} sets seccomp_profile = "${set[1]}", which isoprobe does not read` };
  }
  const file = DEFAULTS.find((f) => fs.existsSync(f));
  if (!file) return { unknown: `Podman's default profile is not on this host (${DEFAULTS.join(', ')})` };
  const pkg = packagedVersion('golang-github-containers-common');
  return {
    source: `Podman's default profile (${file}${pkg ? `, golang-github-containers-common ${pkg}` : ''})`,
    by: 'runtime',
    profile: JSON.parse(fs.readFileSync(file, 'utf8')),
  };
}
