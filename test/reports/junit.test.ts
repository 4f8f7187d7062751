import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RunResults } from '../../model/results.js';
import { junitXml } from '../../reports/junit.js';
import { visible } from '../../reports/text.js';
import { HOSTILE, provenanceResults, smallResults } from '../fixtures/results-small.js';

// dist/test/reports/ → repo root; the schema lives beside the repo, in the shared folder.
const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const XSD = resolve(REPO, '../shared/schemas/junit-10.xsd');

const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function brokenTarget(): RunResults {
  const r = smallResults();
  r.targets[1]!.error = 'runtime "crun" not found <in PATH> & "quoted"';
  r.targets[1]!.checks = [];
  return r;
}

/** builtin-share-pid as a control target: its two required failures are what it is for. */
function controlTarget(failing = true): RunResults {
  const r = smallResults();
  r.targets[1]!.control = true;
  if (!failing) r.targets[1]!.checks = r.targets[1]!.checks.filter((c) => c.status !== 'fail');
  return r;
}

function hostileNames(): RunResults {
  const r = smallResults();
  r.targets[0]!.name = `evil<"&'>\x01`;
  r.targets[0]!.info = { 'k<"&>': `v\n"'<>&\x02` };
  r.environment.note = HOSTILE;
  r.catalogue[0]!.title = `title <b>&"'</b>\x1b`;
  return r;
}

describe('reports/junit', () => {
  const small = junitXml(smallResults());

  it('has one <testsuites> root, a <testsuite> per target and per target × area', () => {
    expect(small.match(/<testsuites\b/g)).to.have.length(1);
    const suites = [...small.matchAll(/<testsuite name="([^"]+)"/g)].map((m) => m[1]);
    expect(suites).to.deep.equal([
      'builtin',
      'builtin.pid',
      'builtin.net',
      'builtin.time',
      'builtin.security',
      'builtin-share-pid',
      'builtin-share-pid.pid',
      'builtin-share-pid.net',
      'builtin-share-pid.time',
    ]);
  });

  it('gives each target a "[target] runs" case with the target\'s wall time, where the checks\' cases time their assertions', () => {
    const r = smallResults();
    r.targets[0]!.durationMs = 2345;
    expect(junitXml(r)).to.include(
      '<testsuite name="builtin" timestamp="2025-01-02T03:04:05.000Z" time="2.345" tests="1" failures="0" errors="0" skipped="0">',
    );
    expect(junitXml(r)).to.include('<testcase classname="isoprobe.builtin" name="[builtin] runs" time="2.345"/>');
  });

  it('names a testcase "[id] title" with classname isoprobe.<target>.<area>', () => {
    expect(small).to.include('<testcase classname="isoprobe.builtin-share-pid.pid" name="[pid.host-invisible] host processes are not visible" time="0.015">');
  });

  it('reports a failed check as <failure message="expected X, observed Y">', () => {
    expect(small).to.include('<failure message="expected new, observed inherited" type="required">expected: new\nobserved: inherited</failure>');
    expect(small).to.include('<failure message="expected 1, observed 0" type="not-required">');
  });

  it('reports a skip with its reason and a harness error as <error>, each message as the text too (GitLab shows only that)', () => {
    expect(small).to.include('<skipped message="kernel without time namespaces">kernel without time namespaces</skipped>');
    expect(small).to.include('<error message="probe crashed: SIGSEGV" type="harness">stderr tail</error>');
  });

  it('counts per suite, and durations in seconds', () => {
    expect(small).to.include(
      '<testsuite name="builtin-share-pid.pid" timestamp="2025-01-02T03:04:05.000Z" time="0.017" tests="2" failures="2" errors="0" skipped="0">',
    );
    expect(small).to.match(/<testsuites name="isoprobe" tests="11" failures="3" errors="1">/);
  });

  it('carries the environment fingerprint and target info as properties', () => {
    expect(small).to.include('<property name="env.kernel" value="6.8.0-test"/>');
    expect(small).to.include('<property name="target.share" value="pid"/>');
    expect(small).to.include('<property name="isoprobe.profile" value="baseline"/>');
  });

  it("carries a target's information under its own prefix", () => {
    const r = smallResults();
    r.targets[0]!.information = { 'host paths in mountinfo': 'none' };
    expect(junitXml(r)).to.include('<property name="information.host paths in mountinfo" value="none"/>');
  });

  it('reports a target that could not run once: one <error> on "[target] runs" naming the checks not run, no case per check', () => {
    const xml = junitXml(brokenTarget());
    const why = 'target builtin-share-pid could not run: runtime &quot;crun&quot; not found &lt;in PATH> &amp; &quot;quoted&quot;';
    const whyText = 'target builtin-share-pid could not run: runtime "crun" not found &lt;in PATH&gt; &amp; "quoted"';
    expect(xml.match(/<error /g)).to.have.length(1);
    const runs = new RegExp(
      `<testcase classname="isoprobe.builtin-share-pid" name="${esc('[builtin-share-pid] runs')}" time="0">\\s*<error message="${esc(why)}" type="target">${esc(whyText)}\nnot run, so not reported as cases: 5 checks \\(pid.host-invisible, `,
    );
    expect(xml).to.match(runs);
    expect(xml).to.include('<property name="target.error"');
    expect(xml).to.include('<property name="target.checksNotRun" value="5"/>');
  });

  it('reports a target that could not run as one suite of one case: nothing a viewer lists per check', () => {
    const xml = junitXml(brokenTarget());
    const suites = [...xml.matchAll(/<testsuite name="([^"]+)"/g)].map((m) => m[1]);
    expect(suites.filter((s) => s!.startsWith('builtin-share-pid'))).to.deep.equal(['builtin-share-pid']);
    expect(xml).to.match(/<testsuite name="builtin-share-pid" timestamp="[^"]+" time="0" tests="1" failures="0" errors="1" skipped="0">/);
    expect(xml).to.not.include('classname="isoprobe.builtin-share-pid.');
  });

  it('writes the targets that could not run after those that ran, whatever the order of the config: the real failures first', () => {
    const r = brokenTarget();
    r.targets.reverse();
    const xml = junitXml(r);
    const suites = [...xml.matchAll(/<testsuite name="([^"]+)"/g)].map((m) => m[1]);
    expect(suites[0]).to.equal('builtin');
    expect(suites.at(-1)).to.equal('builtin-share-pid');
    expect(xml.indexOf('<failure ')).to.be.greaterThan(0).and.lessThan(xml.indexOf('<error message="target builtin-share-pid could not run'));
    // The environment stays on the first suite of the file.
    expect(xml.match(/<property name="env.kernel"/g)).to.have.length(1);
    expect(xml.indexOf('<property name="env.kernel"')).to.be.lessThan(xml.indexOf('<testsuite name="builtin.pid"'));
  });

  it('carries the target properties once, on its own suite, and the environment once: no name twice', () => {
    const r = smallResults();
    r.targets[0]!.info = { ...r.targets[0]!.info, runtime: 'builtin' };
    const xml = junitXml(r);
    expect(xml.match(/<property name="target.runtime"/g)).to.have.length(2);
    // The run's environment: once in the file, on the first target's suite.
    expect(xml.match(/<property name="env.kernel"/g)).to.have.length(1);
    const own = xml.slice(xml.indexOf('<testsuite name="builtin"'), xml.indexOf('<testsuite name="builtin.pid"'));
    expect(own).to.include('<property name="target.runtime" value="builtin"/>');
  });

  it("does not count a control target's failures as <failure>, and keeps their evidence", () => {
    const xml = junitXml(controlTarget());
    expect(xml).to.not.include('type="required"');
    expect(xml).to.include('<property name="target.control" value="true"/>');
    expect(xml).to.include('failed as expected on a control target\nexpected: new\nobserved: inherited');
    expect(xml).to.include('<testcase classname="isoprobe.builtin-share-pid.control" name="[control] builtin-share-pid fails at least one required check"');
    expect(xml).to.match(/<testsuites name="isoprobe" tests="12" failures="1" errors="1">/);
    expect(xml).to.match(/<testsuite name="builtin-share-pid.control" timestamp="[^"]+" time="0" /);
  });

  it('fails a control target that failed no required check', () => {
    const xml = junitXml(controlTarget(false));
    expect(xml).to.include('<failure message="the control target failed no required check: the suite cannot tell it from an isolated target" type="control"/>');
  });

  describe('provenance', () => {
    const xml = junitXml(provenanceResults());

    it("carries the target's request as properties of its own suite", () => {
      expect(xml).to.include('<property name="request.ns.pid" value="user config: host"/>');
      expect(xml).to.include('<property name="request.hostname" value="isoprobe: isoprobe"/>');
      expect(xml).to.match(/<property name="request.not-asked \(runtime default\)" value="ns.uts, ns.ipc, [^"]*noNewPrivs[^"]*"\/>/);
      expect(small).to.not.include('request.');
    });

    it("carries each check's provenance as one property of its suite, named after the testcase", () => {
      const suite = xml.slice(xml.indexOf('<testsuite name="builtin-share-pid.pid"'), xml.indexOf('<testsuite name="builtin-share-pid.net"'));
      expect(suite).to.include('<property name="[pid.host-invisible] settings" value="user config (ns.pid), isoprobe (ns.mnt)"/>');
      expect(suite).to.include('<property name="[pid.own-namespace] settings" value="user config (ns.pid)"/>');
      expect(suite.match(/\[pid.host-invisible\]/g)?.length).to.equal(2);
      // Only this suite's checks.
      expect(suite).to.not.include('[net.loopback-unreachable] provenance');
    });

    it("says a failure's provenance in its body", () => {
      expect(xml).to.include(
        '<failure message="expected new, observed inherited" type="required">expected: new\nobserved: inherited\nsettings: user config (ns.pid)</failure>',
      );
    });
  });

  it('escapes markup and makes control characters visible everywhere', () => {
    const xml = junitXml(hostileNames()) + small;
    expect(xml).to.not.match(/[\x00-\x08\x0B\x0C\x0E-\x1F]/);
    expect(xml).to.not.include('<b>');
    // xmlbuilder leaves '>' and "'" alone inside double-quoted attributes: still well-formed.
    expect(xml).to.include(`title &lt;b>&amp;&quot;'&lt;/b>\\x1b`);
    expect(xml).to.include('bell\\x07 esc\\x1b[31m nul\\x00');
  });

  describe('against junit-10.xsd (xmllint)', () => {
    let dir = '';
    let missing = '';
    before(() => {
      if (!existsSync(XSD)) missing = `XSD not found at ${XSD}`;
      else if (spawnSync('xmllint', ['--version']).error) missing = 'xmllint not installed (libxml2-utils)';
      dir = mkdtempSync(join(tmpdir(), 'isoprobe-junit-'));
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    function lint(name: string, xml: string, ...args: string[]) {
      const file = join(dir, `${name}.xml`);
      writeFileSync(file, xml);
      return spawnSync('xmllint', [...args, file], { encoding: 'utf8' });
    }

    const cases: [string, () => RunResults][] = [
      ['small', smallResults],
      ['broken-target', brokenTarget],
      ['broken-target-first', () => ({ ...brokenTarget(), targets: brokenTarget().targets.reverse() })],
      ['hostile-names', hostileNames],
      ['control-target', () => controlTarget()],
      ['control-target-not-told-apart', () => controlTarget(false)],
      ['empty', () => ({ ...smallResults(), targets: [] })],
      ['provenance', provenanceResults],
      [
        'provenance-broken-target',
        () => {
          const r = provenanceResults();
          r.targets[1]!.error = 'daemon gone';
          r.targets[1]!.checks = [];
          return r;
        },
      ],
    ];
    for (const [name, make] of cases) {
      it(`validates (${name})`, function () {
        if (missing) {
          this.test!.title += ` — SKIPPED: ${missing}`;
          this.skip();
        }
        const out = lint(name, junitXml(make()), '--noout', '--schema', XSD);
        expect(out.stderr.trim(), out.stderr).to.match(/ validates$/);
        expect(out.status).to.equal(0);
      });
    }

    // Why each check's provenance is a property of its suite: this schema has no testcase properties.
    it('rejects <properties> in a <testcase>', function () {
      if (missing) {
        this.test!.title += ` — SKIPPED: ${missing}`;
        this.skip();
      }
      const xml = junitXml(smallResults()).replace(/(<testcase [^>]*[^/]>)/, '$1<properties><property name="a" value="b"/></properties>');
      const out = lint('testcase-properties', xml, '--noout', '--schema', XSD);
      expect(out.status).to.not.equal(0);
      expect(out.stderr).to.include("Element 'properties': This element is not expected.");
    });

    it('round-trips the hostile evidence through an XML parser', function () {
      if (missing) {
        this.test!.title += ` — SKIPPED: ${missing}`;
        this.skip();
      }
      const xpath = 'string(//testcase[@name="[pid.host-invisible] host processes are not visible"]/failure[@type="required"])';
      const out = lint('roundtrip', small, '--xpath', xpath);
      const body = `expected: no host pids\nobserved: 1 (systemd), 4242 (sentinel)\n\n${visible(HOSTILE)}`;
      // xmllint ends its output with a newline of its own.
      expect(out.stdout.replace(/\n$/, '')).to.equal(body);
    });
  });
});
