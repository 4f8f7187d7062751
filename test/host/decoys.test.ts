/**
 * The sandbox profile's decoys on a temporary root (no network namespace: that needs root and is
 * run by test/integration/agent.test.ts): planted 0600 with the hash the probe is given,
 * journalled, verified, and a decoy removed or replaced is "vanished", never live.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { cleanupAll } from '../../host/cleanup.js';
import { armDecoys, decoyArgs, fnv1a64, verifyDecoys } from '../../host/decoys.js';
import { endJournal, startJournal } from '../../host/journal.js';
import { vanishedBetween, type Decoys, type SentinelStates } from '../../model/sentinels.js';

describe('sandbox decoys', () => {
  let root: string;
  let d: Decoys;
  let journalDir: string;
  const saved = process.env.ISOPROBE_JOURNAL_DIR;

  before(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'isoprobe-decoys-test-'));
    journalDir = path.join(root, 'journals');
    process.env.ISOPROBE_JOURNAL_DIR = journalDir;
    fs.mkdirSync(path.join(root, 'var/tmp'), { recursive: true });
    fs.mkdirSync(path.join(root, 'run'));
    startJournal();
    d = await armDecoys({ nonce: 'abc123', root, network: false });
  });
  after(async () => {
    await cleanupAll();
    endJournal();
    if (saved === undefined) delete process.env.ISOPROBE_JOURNAL_DIR;
    else process.env.ISOPROBE_JOURNAL_DIR = saved;
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('hashes as probes/agent.c does (FNV-1a 64)', () => {
    expect(fnv1a64(Buffer.from(''))).to.equal('cbf29ce484222325');
    expect(fnv1a64(Buffer.from('a'))).to.equal('af63dc4c8601ec8c');
  });

  it('plants the secrets 0600 and the outside directory 0777 in /var/tmp, the socket in /run', () => {
    expect(d.dir).to.equal(path.join(root, 'var/tmp/isoprobe-decoy-abc123'));
    expect(d.secrets.map((s) => path.relative(d.dir, s.path))).to.deep.equal(['home/.ssh/id_ed25519', 'home/.aws/credentials']);
    for (const s of d.secrets) {
      expect(fs.statSync(s.path).mode & 0o777).to.equal(0o600);
      expect(fnv1a64(fs.readFileSync(s.path))).to.equal(s.fnv);
    }
    expect(fs.statSync(d.outside).mode & 0o777).to.equal(0o777);
    expect(fs.lstatSync(d.socket).isSocket()).to.equal(true);
    expect(Object.keys(d.env)).to.deep.equal(['AWS_SECRET_ACCESS_KEY', 'GITHUB_TOKEN']);
  });

  it('journals each decoy at birth', () => {
    const text = fs
      .readdirSync(journalDir)
      .map((f) => fs.readFileSync(path.join(journalDir, f), 'utf8'))
      .join('');
    expect(text).to.include(`"kind":"socket","path":"${d.socket}"`).and.include(`"kind":"dir","path":"${d.dir}"`);
  });

  it('names the decoys to the probe, the write inside in the workspace', () => {
    const args = decoyArgs(d, '/work', 'n-t');
    expect(args).to.include('--agent').and.include(`${d.secrets[0].path}:${d.secrets[0].fnv}`).and.include('/work/isoprobe-written-n-t');
    expect(args).to.include(path.join(d.outside, 'written-n-t'));
    expect(args, 'no network made, no egress option').to.not.include('--egress');
  });

  it('verifies each decoy live, and the same twice', async () => {
    const a = (await verifyDecoys(d)) as SentinelStates;
    expect(Object.keys(a).sort()).to.deep.equal(['decoy-outside', 'decoy-secrets', 'decoy-socket']);
    for (const v of Object.values(a)) expect(v).to.have.property('identity');
    expect(vanishedBetween(a, (await verifyDecoys(d)) as SentinelStates)).to.deep.equal({});
  });

  it('a secret replaced during the probe, or the outside directory gone, is vanished: its checks error', async () => {
    const before = (await verifyDecoys(d)) as SentinelStates;
    fs.rmSync(d.secrets[1].path);
    fs.writeFileSync(d.secrets[1].path, 'other bytes', { mode: 0o600 });
    fs.rmdirSync(d.outside);
    const lost = vanishedBetween(before, (await verifyDecoys(d)) as SentinelStates);
    expect(Object.keys(lost).sort()).to.deep.equal(['decoy-outside', 'decoy-secrets']);
    expect(lost['decoy-secrets']).to.match(/gone after the probe: .*holds other bytes/);
  });

  it('a decoy verified on one side only is vanished too', () => {
    const base = { identity: 'x' };
    const lost = vanishedBetween({ 'decoy-egress': base } as unknown as SentinelStates, {} as SentinelStates);
    expect(lost['decoy-egress']).to.match(/before the probe only/);
  });
});
