/**
 * How long each Docker Engine API call may take before the daemon is called hung (README,
 * "Bounds"). A stopped dockerd (SIGSTOP) accepts connections and never answers; a dead one
 * refuses them: either way the docker targets end in `error` within these bounds and the run goes
 * on with its other targets. The wait for a container's exit keeps its own, longer bound (the
 * target's time limit), but the daemon is pinged meanwhile (HEARTBEAT_MS), and once the host sees
 * the container's process gone the daemon gets only WAIT_AFTER_EXIT_MS more to say so. So a docker
 * target ends within about 45 s of its daemon going silent: the call under way (at most 20 s; the
 * image build's 120 s), then its container's removal (20 s).
 */
import { secondsText } from '../../../model/deadline.js';

export const DOCKER_BOUNDS_MS = {
  ping: 10_000,
  version: 10_000,
  info: 10_000,
  'container list': 10_000,
  'container create': 10_000,
  'container attach': 10_000,
  // runc's create + start of a container takes about a second here; a loaded host more.
  'container start': 20_000,
  'container inspect': 10_000,
  'container kill': 10_000,
  // A forced removal kills the container first and waits for it.
  'container remove': 20_000,
  'image inspect': 10_000,
  'image list': 10_000,
  'image remove': 20_000,
  // The whole build of the probe image (two static binaries, FROM scratch): seconds here.
  'image build': 120_000,
} as const;

export type DockerCall = keyof typeof DOCKER_BOUNDS_MS | 'container wait';

/** A removal asked of a daemon that already failed to answer: tried, briefly, since it may be back. */
export const RETRY_ON_BROKEN_MS = 5_000;

/** While a container runs, the daemon is pinged this often (a ping has its own bound above). */
export const HEARTBEAT_MS = 5_000;

/** After the host saw the container's process exit, the daemon's answer to wait() is this late at most. */
export const WAIT_AFTER_EXIT_MS = 10_000;

/** The table as the README shows it. */
export function boundsText(): string {
  return Object.entries(DOCKER_BOUNDS_MS)
    .map(([call, ms]) => `${call} ${secondsText(ms)}`)
    .join(', ');
}
