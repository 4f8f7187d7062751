import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { parentOf } from '../../../host/proc-tree.js';
import { findProbePid, parseStatus } from '../../../targets/bwrap/status.js';

describe('bwrap --json-status-fd', () => {
  // As bubblewrap 0.8.0 writes them: one document when the sandbox exists, one when it ended.
  const started =
    '{ "child-pid": 25328, "cgroup-namespace": 4026532184, "ipc-namespace": 4026532182, "mnt-namespace": 4026532180, "net-namespace": 4026532185, "pid-namespace": 4026532183, "uts-namespace": 4026532181 }\n';
  const ended = '{ "exit-code": 137 }\n';

  it('reads child-pid, then the exit code', () => {
    expect(parseStatus(started)).to.deep.equal({ childPid: 25328 });
    expect(parseStatus(started + ended)).to.deep.equal({ childPid: 25328, exitCode: 137 });
  });

  it('waits for a document that has arrived only in part', () => {
    expect(parseStatus(started.slice(0, 20))).to.deep.equal({});
    expect(parseStatus(started + ended.slice(0, 8))).to.deep.equal({ childPid: 25328 });
  });

  it('ignores what is not a status document', () => {
    expect(parseStatus('{ "child-pid": "x" } { "other": {"nested": "}"} }')).to.deep.equal({});
  });
});

describe("finding the probe under bwrap's child", () => {
  let root: string;
  const proc = (pid: number, ppid: number, comm: string, argv: string[]) => {
    fs.mkdirSync(path.join(root, String(pid)), { recursive: true });
    fs.writeFileSync(path.join(root, String(pid), 'stat'), `${pid} (${comm}) S ${ppid} ${pid} ${pid} 0 -1 4194560`);
    fs.writeFileSync(path.join(root, String(pid), 'cmdline'), `${argv.join('\0')}\0`);
  };
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'isoprobe-bwrap-proc-'));
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it("takes the child of bwrap's init that runs the probe (a pid namespace of its own)", () => {
    proc(100, 1, 'bwrap', ['bwrap', '--unshare-all', '--', '/isoprobe/probe', 'facts']);
    proc(101, 100, 'bwrap', ['bwrap', '--unshare-all', '--', '/isoprobe/probe', 'facts']);
    proc(102, 101, 'probe', ['/isoprobe/probe', 'facts', '--wait-stdin']);
    proc(103, 7, 'probe', ['/isoprobe/probe', 'facts']);
    expect(findProbePid(101, root)).to.equal(102);
  });

  it("takes child-pid itself once it has exec'd the probe (the host pid namespace shared)", () => {
    proc(101, 100, 'probe', ['/isoprobe/probe', 'facts']);
    expect(findProbePid(101, root)).to.equal(101);
  });

  it("finds nothing while the child has not exec'd the probe yet", () => {
    proc(101, 100, 'bwrap', ['bwrap', '--', '/isoprobe/probe']);
    proc(102, 101, 'bwrap', ['bwrap', '--', '/isoprobe/probe']);
    expect(findProbePid(101, root)).to.equal(null);
  });

  it('reads the parent pid after a command name with spaces and parentheses', () => {
    proc(5, 42, 'a) (b', ['x']);
    expect(parentOf(5, root)).to.equal(42);
    expect(parentOf(6, root)).to.equal(null);
  });
});
