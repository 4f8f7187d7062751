import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { findBinary, lookupBinary } from '../../host/which.js';
import { EnvError } from '../../model/errors.js';
import { bwrap, type BwrapTargetConfig } from '../../targets/bwrap/driver.js';
import { oci, type OciTargetConfig } from '../../targets/oci/driver.js';
import { parseTargetConfig } from '../../targets/registry.js';

/** A binary that is there but cannot run is not "not installed": execvp fails it with EACCES. */
describe('host/which: installed, missing, or there but not executable', () => {
  let dir = '';
  const at = (f: string) => path.join(dir, f);
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'isoprobe-which-'));
    for (const d of ['a', 'b', 'c']) fs.mkdirSync(at(d));
    fs.writeFileSync(at('a/tool'), '#!/bin/sh\n', { mode: 0o644 });
    fs.writeFileSync(at('b/tool'), '#!/bin/sh\n', { mode: 0o755 });
    fs.mkdirSync(at('c/tool'));
    fs.writeFileSync(at('a/bwrap'), '#!/bin/sh\n', { mode: 0o644 });
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  const withPath = async <T>(p: string, fn: () => Promise<T> | T): Promise<T> => {
    const saved = process.env.PATH;
    process.env.PATH = p;
    try {
      return await fn();
    } finally {
      process.env.PATH = saved;
    }
  };

  it('by path: found, not executable, a directory, missing', () => {
    expect(lookupBinary(at('b/tool'))).to.deep.equal({ found: at('b/tool') });
    expect(lookupBinary(at('a/tool'))).to.deep.equal({ notExecutable: at('a/tool'), why: 'is not executable' });
    expect(lookupBinary(at('c/tool'))).to.deep.equal({ notExecutable: at('c/tool'), why: 'is a directory' });
    expect(lookupBinary(at('none'))).to.deep.equal({ missing: true });
    expect(findBinary(at('a/tool'))).to.equal(null);
  });

  it('in PATH, as execvp: an executable one further on wins; only none at all is "not executable"', async () => {
    expect(await withPath(`${at('a')}:${at('b')}`, () => lookupBinary('tool'))).to.deep.equal({ found: at('b/tool') });
    expect(await withPath(`${at('c')}:${at('a')}`, () => lookupBinary('tool'))).to.deep.equal({ notExecutable: at('c/tool'), why: 'is a directory' });
    expect(await withPath(at('none'), () => lookupBinary('tool'))).to.deep.equal({ missing: true });
  });

  it('preflight names an OCI runtime that is not executable, apart from one not installed', async () => {
    const cfg = (binary: string) => parseTargetConfig({ targets: [{ name: 'x', runtime: 'oci', binary }] }, 'x')[0] as OciTargetConfig;
    const err = await oci.preflight([cfg(at('a/tool'))]).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(EnvError);
    expect((err as Error).message).to.equal(`the OCI runtime of target "x" cannot be run: ${at('a/tool')} is not executable`);
    const dirErr = await oci.preflight([cfg(at('c/tool'))]).catch((e: unknown) => e);
    expect((dirErr as Error).message).to.equal(`the OCI runtime of target "x" cannot be run: ${at('c/tool')} is a directory`);
    const missing = await oci.preflight([cfg(at('none'))]).catch((e: unknown) => e);
    expect((missing as Error).message).to.match(/ of target "x" is not installed/);
  });

  it('preflight names a bwrap that is not executable', async () => {
    const cfg = parseTargetConfig({ targets: [{ name: 'b', runtime: 'bwrap' }] }, 'x')[0] as BwrapTargetConfig;
    const err = await withPath(at('a'), () => bwrap.preflight([cfg]).catch((e: unknown) => e));
    expect(err).to.be.instanceOf(EnvError);
    expect((err as Error).message).to.equal(`bubblewrap cannot be run: ${at('a/bwrap')} is not executable (needed by target "b")`);
  });
});
