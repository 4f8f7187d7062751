import { expect } from 'chai';
import { exitCodeFor, summaryText } from '../../reports/summary.js';
import { provenanceResults, smallResults } from '../fixtures/results-small.js';

describe('reports/summary', () => {
  it('prints a line per target and area with the four counts', () => {
    const text = summaryText(smallResults());
    expect(text).to.include('builtin (builtin)\n  pid            2 pass    0 fail    0 skip    0 error\n');
    expect(text).to.include('builtin-share-pid (builtin)\n  pid            0 pass    2 fail    0 skip    0 error\n');
  });

  it("gives each target's wall time where it was measured", () => {
    const r = smallResults();
    r.targets[0].durationMs = 2340;
    const text = summaryText(r);
    expect(text).to.include('builtin (builtin, 2.3s)\n');
    expect(text).to.include('builtin-share-pid (builtin)\n');
  });

  it('lists every failed required check with expected / observed, not the optional ones', () => {
    const text = summaryText(smallResults());
    expect(text).to.include(
      'FAIL  builtin-share-pid  [pid.host-invisible] host processes are not visible\n' +
        '        expected no host pids\n        observed 1 (systemd), 4242 (sentinel)\n',
    );
    expect(text).to.include('ERROR builtin-share-pid  [net.loopback-unreachable]');
    expect(text).to.not.include('FAIL  builtin  [security.no-new-privs]');
  });

  it('says in one line who asked for the settings of each failed required check', () => {
    const r = provenanceResults();
    r.targets[1]!.checks[1]!.provenance = { 'ns.pid': 'runtime default' };
    const text = summaryText(r);
    expect(text).to.include(
      'FAIL  builtin-share-pid  [pid.host-invisible] host processes are not visible\n' +
        '        expected no host pids\n        observed 1 (systemd), 4242 (sentinel)\n' +
        '        settings user config (ns.pid), isoprobe (ns.mnt)\n',
    );
    expect(text).to.include('observed inherited\n        settings runtime default (ns.pid)\n');
    // An error is no verdict on the settings; a results file without provenance says nothing.
    expect(text).to.not.match(/SIGSEGV\n\s+settings/);
    expect(summaryText(smallResults())).to.not.include('settings');
  });

  it("shows a target's information under its counts", () => {
    const r = smallResults();
    r.targets[0]!.information = { 'host paths in mountinfo': 'none' };
    expect(summaryText(r)).to.match(/builtin \(builtin\)\n( {2}.*\n)* {2}\(information\) host paths in mountinfo: none\n/);
  });

  it('ends with totals and the verdict', () => {
    const lines = summaryText(smallResults()).trimEnd().split('\n');
    expect(lines.slice(-2)).to.deep.equal(['Totals: 9 checks — 3 pass, 3 fail, 2 skip, 1 error', 'Verdict: FAIL — 2 required checks failed, 1 errored']);
  });

  it('never passes terminal control sequences through', () => {
    const r = smallResults();
    r.targets[1]!.checks[0]!.observed = 'red\x1b[31m\rover';
    const text = summaryText(r);
    expect(text).to.not.match(/[\x00-\x08\x0B-\x1F\x7F-\x9F]/);
    expect(text).to.include('observed red\\x1b[31m\\rover');
  });

  describe('exitCodeFor', () => {
    it('is 1 when a required check fails', () => expect(exitCodeFor(smallResults())).to.equal(1));

    it('is 0 when only optional checks fail and the rest pass or skip', () => {
      const r = smallResults();
      r.targets = [r.targets[0]!];
      expect(exitCodeFor(r)).to.equal(0);
      expect(summaryText(r)).to.match(/Verdict: PASS/);
    });

    it('is 1 when a required check errors', () => {
      const r = smallResults();
      r.targets[1]!.checks = r.targets[1]!.checks.filter((c) => c.status !== 'fail');
      expect(exitCodeFor(r)).to.equal(1);
    });

    it('is 1 when a target could not run, and says so once', () => {
      const r = smallResults();
      r.targets = [r.targets[0]!, { ...r.targets[1]!, error: 'no such runtime', checks: [] }];
      expect(exitCodeFor(r)).to.equal(1);
      const text = summaryText(r);
      expect(text).to.include('builtin-share-pid (builtin): could not run: no such runtime');
      expect(text).to.match(/Verdict: FAIL — 1 target could not run\n$/);
    });
  });

  describe('control targets', () => {
    // builtin-share-pid marked as a control: it fails two required checks and errors one.
    function withControl(failing = true) {
      const r = smallResults();
      r.targets[1]!.control = true;
      if (!failing) r.targets[1]!.checks = r.targets[1]!.checks.filter((c) => c.status !== 'fail');
      return r;
    }

    it('passes when the isolated targets pass and the control fails, and says the control failed as expected', () => {
      const r = withControl();
      expect(exitCodeFor(r)).to.equal(0);
      const text = summaryText(r);
      expect(text).to.include('builtin-share-pid (builtin, control: expected to fail)\n');
      expect(text).to.include(
        'Control targets (deliberately weakened; their failures are expected):\n  builtin-share-pid: 2 required checks failed, as expected\n',
      );
      expect(text).to.not.include('Required checks that did not pass');
      expect(text).to.match(/Verdict: PASS — every check required by the profile passed \(control targets: failed as expected\)\n$/);
    });

    it('fails when a control target fails no required check', () => {
      const r = withControl(false);
      expect(exitCodeFor(r)).to.equal(1);
      const text = summaryText(r);
      expect(text).to.include('FAIL  builtin-share-pid: control target failed no required check');
      expect(text).to.match(/Verdict: FAIL — 1 control target failed no required check\n$/);
    });

    it("still fails on an isolated target's required failure, and on a control that could not run", () => {
      const r = withControl();
      r.targets[0]!.checks[0]!.status = 'fail';
      expect(exitCodeFor(r)).to.equal(1);
      expect(summaryText(r)).to.match(/Verdict: FAIL — 1 required check failed\n$/);
      const broken = withControl();
      broken.targets[1] = { ...broken.targets[1]!, error: 'privileged containers refused', checks: [] };
      expect(exitCodeFor(broken)).to.equal(1);
    });
  });
});
