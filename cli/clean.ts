/**
 * `isoprobe clean`: removes what killed runs left behind, and the probe image. It orchestrates;
 * each runtime removes its own things: OCI runtimes their containers (targets/oci/reap.ts),
 * Docker its containers and images (targets/docker/clean.ts), the host the built-in runtime's
 * processes, mounts, cgroups, IPC objects and every run directory with its bundles (host/reap.ts).
 * OCI containers go first: the host's sweep would otherwise kill their processes and cgroups
 * from under the runtime, leaving its state behind.
 *
 * One line per kind of thing on stdout. Exit codes: 0 everything found was removed (a runtime
 * that is not installed, or a Docker daemon that does not answer, is said in its line and is no
 * failure: nothing of ours runs there, and a daemon's stored images wait for the next clean);
 * 1 something could not be removed; 2 refused, a run is still going (its containers and the
 * image it uses must stay).
 */
import type { CleanItem } from '../model/clean-report.js';
import { cleanLine } from '../model/clean-report.js';
import { cleanHost, liveRuns } from '../host/reap.js';
import { EXIT } from '../model/results.js';
import { cleanDocker } from '../targets/docker/clean.js';
import { DOCKER_SOCKET, dockerClient } from '../targets/docker/daemon.js';
import { cleanStaleContainers } from '../targets/oci/reap.js';
import { findBinary } from '../targets/registry.js';

/** The OCI runtimes whose state clean looks at (the ones --runtime knows by name). */
export const OCI_BINARIES = ['runc', 'crun'];
/** Each Docker API call of clean, bounded: a forced removal takes seconds, a hung daemon forever. */
const DOCKER_REQUEST_TIMEOUT_MS = 60_000;

export interface CleanDeps {
  liveRuns(): number[];
  installed(binary: string): boolean;
  oci(binary: string): CleanItem;
  docker(imagesInUse: () => string | null): Promise<CleanItem[]>;
  host(): CleanItem[];
  out(line: string): void;
  err(line: string): void;
}

export async function runClean(deps: CleanDeps): Promise<number> {
  const live = deps.liveRuns();
  if (live.length > 0) {
    deps.err(`isoprobe clean: runs ${live.join(', ')} are still going; stop them first`);
    return EXIT.usage;
  }
  const items: CleanItem[] = OCI_BINARIES.map((b) =>
    deps.installed(b) ? deps.oci(b) : { kind: `${b} containers`, found: [], remaining: [], unchecked: `${b} is not installed` });
  items.push(...await deps.docker(() => {
    const now = deps.liveRuns();
    return now.length > 0 ? `run${now.length > 1 ? 's' : ''} ${now.join(', ')} started meanwhile and may use ${now.length > 1 ? 'them' : 'it'}` : null;
  }));
  items.push(...deps.host());
  for (const item of items) deps.out(`isoprobe clean: ${cleanLine(item)}`);
  const left = items.reduce((n, i) => n + i.remaining.length, 0);
  if (left > 0) {
    deps.err(`isoprobe clean: ${left} thing${left > 1 ? 's' : ''} could not be removed (see above)`);
    return EXIT.failed;
  }
  return EXIT.ok;
}

export function cleanCommand(): Promise<number> {
  return runClean({
    liveRuns,
    installed: (b) => findBinary(b) !== null,
    oci: cleanStaleContainers,
    docker: (imagesInUse) => cleanDocker(dockerClient(DOCKER_SOCKET, DOCKER_REQUEST_TIMEOUT_MS), { socketPath: DOCKER_SOCKET, imagesInUse }),
    host: cleanHost,
    out: (l) => process.stdout.write(`${l}\n`),
    err: (l) => process.stderr.write(`${l}\n`),
  });
}
