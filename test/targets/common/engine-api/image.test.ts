import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import tar from 'tar-stream';
import { buildContext, imageTag } from '../../../../targets/common/engine-api/image.js';

type Entry = { type: string; mode: number; body: string; linkname?: string };

async function entries(stream: NodeJS.ReadableStream): Promise<Record<string, Entry>> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream as AsyncIterable<Buffer>) chunks.push(chunk);
  const extract = tar.extract();
  extract.end(Buffer.concat(chunks));
  const out: Record<string, Entry> = {};
  for await (const entry of extract) {
    const body: Buffer[] = [];
    for await (const c of entry) body.push(c as Buffer);
    const h = entry.header;
    out[h.name] = { type: h.type ?? 'file', mode: h.mode ?? 0, body: Buffer.concat(body).toString(), linkname: h.linkname ?? undefined };
  }
  return out;
}

describe('the probe image build context', () => {
  let dir: string;
  let files: { probe: string; busybox: string };
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'isoprobe-image-'));
    files = { probe: path.join(dir, 'probe'), busybox: path.join(dir, 'busybox') };
    fs.writeFileSync(files.probe, 'PROBE');
    fs.writeFileSync(files.busybox, 'BUSYBOX');
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('is a FROM scratch Dockerfile and a rootfs with the probe, busybox and the mount points', async () => {
    const e = await entries(buildContext(files));
    expect(e.Dockerfile.body).to.match(/^FROM scratch\nCOPY rootfs\/ \/\nLABEL isoprobe=1\n$/);
    expect(e['rootfs/isoprobe/probe']).to.include({ body: 'PROBE', mode: 0o755 });
    expect(e['rootfs/bin/busybox']).to.include({ body: 'BUSYBOX', mode: 0o755 });
    expect(e['rootfs/bin/sh']).to.include({ type: 'symlink', linkname: 'busybox' });
    expect(e['rootfs/tmp']).to.include({ type: 'directory', mode: 0o1777 });
    expect(e['rootfs/scratch']).to.include({ type: 'directory', mode: 0o700 });
    for (const d of ['proc', 'sys', 'dev']) expect(e[`rootfs/${d}`], d).to.include({ type: 'directory' });
  });

  it('is tagged by the hash of the binaries: same files, same tag; a new probe, a new tag', () => {
    const tag = imageTag(files);
    expect(tag).to.match(/^isoprobe-probe:[0-9a-f]{16}$/);
    expect(imageTag(files)).to.equal(tag);
    fs.writeFileSync(files.probe, 'PROBE v2');
    expect(imageTag(files)).to.not.equal(tag);
  });
});
