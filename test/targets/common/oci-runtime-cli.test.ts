/**
 * The runtime command-line protocol against a stand-in runtime (a shell script speaking runc's
 * `run --bundle B --pid-file P ID` and `delete -f ID`), so every outcome is exercised without a
 * real runtime: success, refusal, death by signal, timeout.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { pendingCleanups } from '../../../host/cleanup.js';
import { TargetError } from '../../../model/target.js';
import { RuntimeRefusal, startContainer, tail } from '../../../targets/common/oci-runtime-cli.js';

/** What targets/common/lifecycle.ts does with a held container, without the host-side reads. */
async function runContainer(
  binary: string,
  bundle: string,
  id: string,
  hooks: { onPid(pid: number): Promise<void> },
  opts: { target: string; timeoutMs: number },
) {
  const held = await startContainer(binary, bundle, id, opts);
  try {
    await hooks.onPid(held.pid);
    held.release();
    return { pid: held.pid, ...(await held.wait()) };
  } finally {
    await held.remove();
  }
}

const FAKE = `#!/bin/bash
# args: run --bundle B --pid-file P ID  |  delete -f ID
if [ "$1" = delete ]; then echo "delete $3" >>"$FAKE_RUNTIME_LOG"; exit 0; fi
bundle=$3; pidfile=$5
case "$(cat "$bundle/mode")" in
  refuse) echo 'time="2026-01-01T00:00:00Z" level=error msg="runc run failed: namespace {\\"time\\" \\"\\"} does not exist"' >&2; exit 1 ;;
  ok) echo $$ >"$pidfile"; read -r -n 1 byte; echo "got:$byte"; echo "to stderr" >&2; exit 3 ;;
  killed) echo $$ >"$pidfile"; read -r -n 1 byte; exit 137 ;;
  hang) echo $$ >"$pidfile"; exec sleep 30 ;;
esac
`;

describe('OCI runtime command line', function () {
  this.timeout(10_000);
  let dir: string;
  let fake: string;
  let log: string;
  const bundle = (mode: string) => {
    const b = fs.mkdtempSync(path.join(dir, 'b-'));
    fs.writeFileSync(path.join(b, 'mode'), mode);
    return b;
  };
  const noHooks = { onPid: async () => {} };

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'isoprobe-fake-runtime-'));
    fake = path.join(dir, 'fake-runc');
    log = path.join(dir, 'log');
    fs.writeFileSync(fake, FAKE, { mode: 0o755 });
    process.env.FAKE_RUNTIME_LOG = log;
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  beforeEach(() => fs.writeFileSync(log, ''));

  it('observes the container before it gets the go byte, then returns its output and status', async () => {
    const seen: number[] = [];
    const r = await runContainer(
      fake,
      bundle('ok'),
      'isoprobe-1-1-t',
      {
        onPid: async (pid: number) => {
          seen.push(pid);
        },
      },
      { target: 't', timeoutMs: 5000 },
    );
    expect(seen).to.deep.equal([r.pid]);
    expect(r).to.deep.include({ exitCode: 3, signal: null, stdout: 'got:g\n', stderr: 'to stderr\n' });
    expect(fs.readFileSync(log, 'utf8'), '`run` removes its container itself').to.equal('');
    expect(pendingCleanups().filter((l) => l.includes('isoprobe-1-1-t'))).to.deep.equal([]);
  });

  it("turns a refusal before the container existed into a RuntimeRefusal in the runtime's own words", async () => {
    const err = await runContainer(fake, bundle('refuse'), 'isoprobe-1-2-t', noHooks, { target: 't', timeoutMs: 5000 }).then(
      () => null,
      (e: unknown) => e as Error & { stderrTail: string },
    );
    expect(err).to.be.instanceOf(RuntimeRefusal);
    expect(err!.stderrTail).to.equal('runc run failed: namespace {"time" ""} does not exist');
    expect(err!.message).to.equal(`t: ${fake} refused the container (exit 1): runc run failed: namespace {"time" ""} does not exist`);
  });

  it('reports 128+N as death by signal N', async () => {
    const r = await runContainer(fake, bundle('killed'), 'isoprobe-1-3-t', noHooks, { target: 't', timeoutMs: 5000 });
    expect(r).to.deep.include({ exitCode: null, signal: 'SIGKILL' });
  });

  it('bounds the run: past the limit it is killed, deleted and reported', async () => {
    const t0 = Date.now();
    const err = await runContainer(fake, bundle('hang'), 'isoprobe-1-4-t', noHooks, { target: 't', timeoutMs: 300 }).then(
      () => null,
      (e: unknown) => e as Error & { stderrTail: string },
    );
    expect(err).to.be.instanceOf(TargetError).and.not.instanceOf(RuntimeRefusal);
    expect(err!.message).to.match(/did not finish within 300 ms/);
    expect(Date.now() - t0).to.be.below(5000);
    expect(fs.readFileSync(log, 'utf8')).to.equal('delete isoprobe-1-4-t\n');
  });

  it("reduces runc's logfmt lines to their messages", () => {
    expect(tail('time="x" level=warning msg="a \\"b\\""\nplain line\n')).to.equal('a "b" | plain line');
    expect(tail('')).to.equal('');
  });
});
