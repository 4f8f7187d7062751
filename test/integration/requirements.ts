/** What the end-to-end tests need from the host, and when missing it is a skip rather than a failure. */
import type Dockerode from 'dockerode';
import { findBinary } from '../../host/which.js';

/** Skips the suite only when scripts/docker-up.sh said it could not provide a daemon. */
export async function requireDaemon(ctx: Mocha.Context, client: Dockerode): Promise<void> {
  try {
    await client.ping();
  } catch (e) {
    const why = process.env.ISOPROBE_DOCKER_UNAVAILABLE;
    if (why) {
      process.stdout.write(`    skipped: ${why}\n`);
      ctx.skip();
    }
    throw new Error(`no Docker daemon answers on /var/run/docker.sock (${(e as Error).message}); run the tests with "npm test", which starts one`);
  }
}

/** The cri target's binaries: a skip only when scripts/test.sh said the packages could not be had. */
export function requireContainerd(ctx: Mocha.Context): void {
  const missing = ['containerd', 'ctr', 'runc', 'containerd-shim-runc-v2'].filter((b) => !findBinary(b));
  if (missing.length === 0) return;
  const why = process.env.ISOPROBE_DOCKER_UNAVAILABLE;
  if (why) {
    process.stdout.write(`    skipped: ${missing.join(', ')} not installed; ${why}\n`);
    ctx.skip();
  }
  throw new Error(`${missing.join(', ')} not installed (Debian: containerd, runc)`);
}
