/**
 * The observer's one-line results record (fleet/log-record.ts): what goes in comes out whole,
 * checked; what would be too long says so and keeps the summary; a log without a record, or a
 * damaged one, is said as such. A real run's size is measured in test/integration/k8s-local.test.ts.
 */
import { gzipSync } from 'node:zlib';
import { expect } from 'chai';
import { decodeRecord, encodeRecord, MAX_RECORD_BYTES, RECORD_PREFIX } from '../../fleet/log-record.js';

const results = (targets: number, pad = 0) =>
  JSON.stringify({
    schema: 'x',
    summary: { verdict: 'fail', exitCode: 1, targets: Array.from({ length: targets }, (_, i) => ({ name: `t${i}`, ran: true })) },
    targets: Array.from({ length: targets }, (_, i) => ({ name: `t${i}`, checks: [{ id: 'pid.own-ns', status: 'pass', evidence: 'x'.repeat(pad) }] })),
  });

/** Text that gzip cannot shrink much: base64 of random-looking bytes, deterministic. */
function incompressible(bytes: number): string {
  let x = 0x12345678;
  const b = Buffer.alloc(bytes);
  for (let i = 0; i < bytes; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    b[i] = x & 0xff;
  }
  return b.toString('base64');
}

describe('fleet/log-record: the observer results as one bounded log line', () => {
  it('round-trips a results file with its node and run, after other log lines', () => {
    const text = results(3);
    const rec = encodeRecord({ results: text, node: 'node-a', run: '0123abcd' });
    expect(rec.startsWith(RECORD_PREFIX)).to.equal(true);
    expect(rec).to.not.include('\n');
    const log = `[1/3] default (cri) ran in 3.1 s\nVerdict: FAIL\n${rec}\n`;
    expect(decodeRecord(log)).to.deep.equal({ node: 'node-a', run: '0123abcd', status: 'complete', results: JSON.parse(text) });
  });

  it('a record over the bound says truncated, with the results summary and their size, never a cut line', () => {
    const text = results(2, 200_000).replace(/x{200000}/g, () => incompressible(150_000));
    const rec = encodeRecord({ results: text }, 64 * 1024);
    expect(rec.length).to.be.at.most(64 * 1024);
    const d = decodeRecord(rec);
    expect(d.status).to.equal('truncated');
    if (d.status !== 'truncated') return;
    expect(d.bytes).to.equal(Buffer.byteLength(text));
    expect(d.reason).to.match(/^the results record would be \d+ bytes, over the 65536 a record may have$/);
    expect(d.summary).to.deep.equal(JSON.parse(text).summary);
  });

  it('a summary that does not fit either is left out, and said', () => {
    const text = JSON.stringify({ summary: { notes: incompressible(5000) }, targets: [incompressible(50_000)] });
    const rec = encodeRecord({ results: text }, 2000);
    expect(rec.length).to.be.at.most(2000);
    const d = decodeRecord(rec);
    expect(d).to.include({ status: 'truncated', summary: null });
    expect((d as { reason: string }).reason).to.match(/the summary did not fit either$/);
  });

  it('no results: the record says missing, with why', () => {
    expect(decodeRecord(encodeRecord({ results: null, reason: 'the run ended before writing them', node: 'n' }))).to.deep.equal({
      node: 'n',
      status: 'missing',
      reason: 'the run ended before writing them',
    });
  });

  it('a log that ends without a record, or with a damaged one, is no record or corrupt, not results', () => {
    expect(decodeRecord('isoprobe: internal error\n').status).to.equal('no-record');
    expect(decodeRecord(`${encodeRecord({ results: results(1) })}\nmore\n`).status, 'the record must be the last line').to.equal('no-record');
    const rec = encodeRecord({ results: results(1) });
    const parsed = JSON.parse(rec.slice(RECORD_PREFIX.length));
    const other = gzipSync(Buffer.from(results(2))).toString('base64');
    expect(decodeRecord(`${RECORD_PREFIX}${JSON.stringify({ ...parsed, data: other })}`).status, 'another payload: sha256 differs').to.equal('corrupt');
    expect(decodeRecord(`${RECORD_PREFIX}${JSON.stringify({ ...parsed, data: 'bm90IGd6aXA=' })}`).status).to.equal('corrupt');
    expect(decodeRecord(`${RECORD_PREFIX}{"status":`).status).to.equal('corrupt');
    expect(decodeRecord(`${RECORD_PREFIX}${'x'.repeat(MAX_RECORD_BYTES)}`).status).to.equal('corrupt');
  });
});
