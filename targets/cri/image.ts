/**
 * The probe image and the pause image, as OCI image layouts in a tar, built FROM scratch from the
 * project's own static binaries (no registry where isoprobe runs) and imported into the k8s.io
 * namespace with `ctr images import`, where the CRI plugin looks for images. The pause image is
 * the busybox `sleep` (the sandbox's first process: it only has to hold the pod's namespaces, and
 * containerd stops it with SIGKILL); the probe image is the probe with busybox, as for Docker. A
 * tag is the hash of the binaries, so a rebuilt probe is a new image.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import tar from 'tar-stream';
import { PROBE_PATH, SCRATCH_DIR, type ProbeFiles } from '../../model/target.js';

/** How the CRI plugin normalises a short name: the image is imported under the long one. */
export const PROBE_REPO = 'docker.io/library/isoprobe-probe';
export const PAUSE_REPO = 'docker.io/library/isoprobe-pause';
/** The pause container's bound: a sandbox outliving every run's bound by far, still not for ever. */
const PAUSE_SECONDS = '86400';
const DIRS = ['proc', 'sys', 'dev', 'etc', 'tmp', 'bin', 'isoprobe', SCRATCH_DIR, 'isoprobe-hold'];
const BUSYBOX_LINKS = ['sh', 'true', 'ls', 'cat', 'sleep'];
const IMPORT_TIMEOUT_MS = 60_000;

export interface ImageRefs {
  probe: string;
  pause: string;
}

export function imageRefs(files: ProbeFiles): ImageRefs {
  const h = createHash('sha256').update(fs.readFileSync(files.probe));
  if (files.busybox) h.update(fs.readFileSync(files.busybox));
  const tag = h.digest('hex').slice(0, 16);
  return { probe: `${PROBE_REPO}:${tag}`, pause: `${PAUSE_REPO}:${tag}` };
}

const sha = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

async function packed(entries: (p: tar.Pack) => void): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  const done = new Promise<void>((resolve, reject) => {
    pack.on('data', (c: unknown) => chunks.push(c as Buffer));
    pack.on('end', () => resolve());
    pack.on('error', reject);
  });
  entries(pack);
  pack.finalize();
  await done;
  return Buffer.concat(chunks);
}

async function rootfsLayer(files: ProbeFiles, withProbe: boolean): Promise<Buffer> {
  if (!files.busybox) throw new Error('the CRI images need a static busybox (the pause container runs its sleep)');
  const busybox = fs.readFileSync(files.busybox);
  const probe = withProbe ? fs.readFileSync(files.probe) : null;
  return packed((p) => {
    for (const d of DIRS) p.entry({ name: d, type: 'directory', mode: d === 'tmp' ? 0o1777 : 0o755 });
    p.entry({ name: 'bin/busybox', mode: 0o755 }, busybox);
    for (const l of BUSYBOX_LINKS) p.entry({ name: `bin/${l}`, type: 'symlink', linkname: 'busybox', mode: 0o777 });
    if (probe) p.entry({ name: PROBE_PATH.slice(1), mode: 0o755 }, probe);
    p.entry({ name: 'etc/hostname', mode: 0o644 }, 'isoprobe\n');
  });
}

/** One image as an OCI layout archive (oci-layout, index.json, blobs), named for containerd by its annotation. */
export async function imageArchive(files: ProbeFiles, ref: string, cmd: string[], withProbe: boolean): Promise<Buffer> {
  const layer = await rootfsLayer(files, withProbe);
  const config = Buffer.from(
    JSON.stringify({
      architecture: process.arch === 'x64' ? 'amd64' : process.arch,
      os: 'linux',
      config: { Cmd: cmd, Labels: { isoprobe: '1' } },
      rootfs: { type: 'layers', diff_ids: [sha(layer)] },
    }),
  );
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha(config), size: config.length },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: sha(layer), size: layer.length }],
    }),
  );
  const index = {
    schemaVersion: 2,
    manifests: [
      {
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        digest: sha(manifest),
        size: manifest.length,
        annotations: { 'io.containerd.image.name': ref, 'org.opencontainers.image.ref.name': ref.split(':').at(-1) },
      },
    ],
  };
  const blob = (b: Buffer) => `blobs/sha256/${sha(b).slice('sha256:'.length)}`;
  return packed((p) => {
    p.entry({ name: 'oci-layout' }, JSON.stringify({ imageLayoutVersion: '1.0.0' }));
    p.entry({ name: 'index.json' }, JSON.stringify(index));
    p.entry({ name: 'blobs', type: 'directory' });
    p.entry({ name: 'blobs/sha256', type: 'directory' });
    for (const b of [layer, config, manifest]) p.entry({ name: blob(b) }, b);
  });
}

/**
 * Imports both images into the containerd at `address` (ctr speaks containerd's own API, not CRI:
 * so this needs the containerd socket itself, which a user-named CRI endpoint of containerd is).
 */
export async function importImages(address: string, files: ProbeFiles, refs: ImageRefs, dir: string): Promise<void> {
  const archives: [string, Buffer][] = [
    [`${dir}/probe-image.tar`, await imageArchive(files, refs.probe, [PROBE_PATH, 'true'], true)],
    [`${dir}/pause-image.tar`, await imageArchive(files, refs.pause, ['/bin/sleep', PAUSE_SECONDS], false)],
  ];
  for (const [file, data] of archives) {
    fs.writeFileSync(file, data);
    const r = spawnSync('ctr', ['--address', address, '-n', 'k8s.io', 'images', 'import', file], {
      encoding: 'utf8',
      timeout: IMPORT_TIMEOUT_MS,
    });
    fs.rmSync(file, { force: true });
    if (r.error || r.status !== 0) throw new Error(`ctr images import ${file}: ${(r.error?.message ?? r.stderr).trim() || `exit ${r.status}`}`);
  }
}
