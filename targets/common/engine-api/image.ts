/**
 * The probe image, built FROM scratch from the project's own static binaries (no registry exists
 * where isoprobe runs): a build context made in memory as a tar stream, sent to the daemon's
 * classic builder. The tag is the hash of the binaries, so an image is built once per probe
 * build and reused by every later run; `isoprobe clean` removes it (label isoprobe=1).
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { Readable } from 'node:stream';
import type Dockerode from 'dockerode';
import tar from 'tar-stream';
import { PROBE_PATH, SCRATCH_DIR, type ProbeFiles } from '../../../model/target.js';
import { api, dockerError, failureKind, type Daemon } from './errors.js';

export const IMAGE_REPO = 'isoprobe-probe';
export const LABEL = 'isoprobe';

const DOCKERFILE = `FROM scratch
COPY rootfs/ /
LABEL ${LABEL}=1
`;
/** Mount points and the scratch directory the host reads through the container's upper dir. */
const DIRS: [string, number][] = [
  ['proc', 0o755],
  ['sys', 0o755],
  ['dev', 0o755],
  ['etc', 0o755],
  ['tmp', 0o1777],
  [SCRATCH_DIR, 0o700],
];
const BUSYBOX_LINKS = ['sh', 'true', 'ls', 'cat', 'sleep'];

export function imageTag(files: ProbeFiles): string {
  const h = createHash('sha256').update(fs.readFileSync(files.probe));
  if (files.busybox) h.update(fs.readFileSync(files.busybox));
  return `${IMAGE_REPO}:${h.digest('hex').slice(0, 16)}`;
}

/** The build context: Dockerfile + rootfs/ (dirs, probe, busybox and its links), as a tar stream. */
export function buildContext(files: ProbeFiles): NodeJS.ReadableStream {
  const pack = tar.pack();
  const dir = (name: string, mode: number) => pack.entry({ name: `rootfs/${name}`, type: 'directory', mode });
  pack.entry({ name: 'Dockerfile', mode: 0o644 }, DOCKERFILE);
  for (const [name, mode] of DIRS) dir(name, mode);
  dir('isoprobe', 0o755);
  pack.entry({ name: `rootfs${PROBE_PATH}`, mode: 0o755 }, fs.readFileSync(files.probe));
  dir('bin', 0o755);
  if (files.busybox) {
    pack.entry({ name: 'rootfs/bin/busybox', mode: 0o755 }, fs.readFileSync(files.busybox));
    for (const link of BUSYBOX_LINKS) pack.entry({ name: `rootfs/bin/${link}`, type: 'symlink', linkname: 'busybox', mode: 0o777 });
  }
  pack.entry({ name: 'rootfs/etc/hostname', mode: 0o644 }, 'isoprobe\n');
  pack.finalize();
  // tar-stream 3 packs are streamx streams; docker-modem pipes a Node stream into its request.
  return Readable.from(pack);
}

/**
 * Looks and builds in flight in this process, by tag: concurrent containers and targets share one.
 * Only while in flight: a finished one is asked again next time (one inspect), because the image
 * may have gone since (`isoprobe clean` between two runs of one process, as the tests do).
 */
const ensuring = new Map<string, Promise<string>>();

/** The image's tag; built only when the daemon does not have it yet. */
export function ensureProbeImage(docker: Dockerode, files: ProbeFiles, d: Daemon): Promise<string> {
  const tag = imageTag(files);
  const key = `${d.socket} ${tag}`;
  let p = ensuring.get(key);
  if (!p) {
    p = inspectOrBuild(docker, files, tag, d);
    ensuring.set(key, p);
    const forget = () => ensuring.delete(key);
    p.then(forget, forget);
  }
  return p;
}

async function inspectOrBuild(docker: Dockerode, files: ProbeFiles, tag: string, d: Daemon): Promise<string> {
  try {
    await api(d, 'image inspect', () => docker.getImage(tag).inspect());
    return tag;
  } catch (e) {
    if (failureKind(e) !== 'not-found') throw e;
  }
  // One bound over the request and its progress stream: the build's outcome is in the stream, not in the HTTP status.
  const events = await api(d, 'image build', async () => {
    const stream = await docker.buildImage(buildContext(files), { t: tag, labels: { [LABEL]: '1' }, rm: true, forcerm: true });
    return new Promise<{ error?: string }[]>((resolve, reject) =>
      docker.modem.followProgress(stream, (err: Error | null, res: { error?: string }[]) => (err ? reject(err) : resolve(res))),
    );
  });
  const failed = events.find((ev) => ev.error);
  if (failed) throw dockerError(d, `build ${tag}`, new Error(failed.error));
  return tag;
}
