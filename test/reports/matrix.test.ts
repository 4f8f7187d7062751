import { expect } from 'chai';
import { matrixHtml, matrixMarkdown } from '../../reports/matrix.js';
import type { RunResults } from '../../model/results.js';
import { HOSTILE, provenanceResults, smallResults } from '../fixtures/results-small.js';

/** A run with a check of the conformance area, and the cross area in the catalogue with no check run. */
function newAreas(): RunResults {
  const r = provenanceResults();
  r.catalogue.push(
    {
      id: 'conformance.ns.pid',
      area: 'conformance',
      title: 'the pid namespace is as asked',
      profiles: ['baseline'],
      references: [],
      negativeControl: '',
      settings: ['ns.pid'],
    },
    {
      id: 'cross.pid-invisible',
      area: 'cross',
      title: "the sibling's processes are invisible",
      profiles: ['baseline'],
      references: [],
      negativeControl: '',
      settings: ['ns.pid'],
    },
  );
  r.targets[0]!.checks.push({ id: 'conformance.ns.pid', status: 'pass', required: true, durationMs: 0, provenance: { 'ns.pid': 'isoprobe' } });
  return r;
}

describe('reports/matrix', () => {
  describe('markdown', () => {
    const md = matrixMarkdown(smallResults());

    it('lists a target that could not run once under the failures, not once per check', () => {
      const r = smallResults();
      r.targets[1]!.error = 'crun refused the container (exit 1): cgroups in hybrid mode not supported';
      r.targets[1]!.checks = [];
      const broken = matrixMarkdown(r);
      expect(broken.match(/\*\*builtin-share-pid\*\*/g)).to.have.length(1);
      expect(broken).to.include(
        '- **builtin-share-pid** could not run (5 checks not decided): crun refused the container (exit 1): cgroups in hybrid mode not supported',
      );
    });

    it('has targets as columns and checks as rows grouped by area', () => {
      expect(md).to.match(/\| check \| builtin \| builtin-share-pid \|\n\|---\|---\|---\|\n\| \*totals\* \|[^\n]+\|\n\| \*\*pid\*\* \| \| \|\n/);
      expect(md).to.include('| `pid.own-namespace` runs in its own pid namespace | ✅ pass | ❌ **fail** |');
      expect(md).to.include('| `net.loopback-unreachable` host loopback listener is unreachable | ✅ pass | ⚠️ **error** |');
    });

    it('totals each target under its name, naming the required checks that did not pass', () => {
      const totals = md.split('\n').find((l) => l.startsWith('| *totals* |'))!;
      const cols = totals.split(' | ').slice(1);
      expect(cols[0]).to.match(/^\d+ pass · \d+ fail · \d+ skip · \d+ error/);
      const r = smallResults();
      const blocking = r.targets[1]!.checks.filter((c) => c.required && (c.status === 'fail' || c.status === 'error')).length;
      expect(blocking, 'the fixture has a required failure').to.be.greaterThan(0);
      expect(cols[1]).to.include(`**${blocking} required not passing**`);
    });

    it('marks a check a target did not run, and optional failures', () => {
      expect(md).to.include('| `security.no-new-privs` no\\_new\\_privs is set | ❌ **fail** (not required) | — |');
    });

    it("lists each target's information apart from the verdicts", () => {
      const r = smallResults();
      r.targets[0]!.information = { 'host paths in mountinfo': '1: /etc/hostname: root /var/lib/x' };
      expect(matrixMarkdown(r)).to.include('**Information (not compared)**\n\n- **builtin** host paths in mountinfo: 1: /etc/hostname: root /var/lib/x');
      expect(matrixMarkdown(smallResults())).to.not.include('Information');
      expect(matrixHtml(r)).to.include('<h3>information (not compared)</h3>');
    });

    it("lists each target's posture differences, asked vs delivered, apart from the verdicts", () => {
      const r = smallResults();
      const none = { effective: [], permitted: [], bounding: [], inheritable: [], ambient: [] };
      const observed = {
        namespaces: { pid: 'new', mnt: 'new', net: 'new', uts: 'new', ipc: 'new', user: 'inherited', time: 'new', cgroup: 'new' },
        capabilities: none,
        seccomp: 'filter',
        noNewPrivs: true,
        userMapping: { uid: 'identity', gid: 'identity' },
        masked: {},
        readonly: {},
        limits: { pids: 'set', memory: 'set', cpu: 'set' },
        cgroupfs: 'ro',
        hostFds: 'none',
        rootEscape: 'contained',
        timeOffsets: null,
        nsInodes: { pid: 1, mnt: 1, net: 1, uts: 1, ipc: 1, user: 1, time: 1, cgroup: 1 },
        idMaps: { uid: null, gid: null },
        seccompFilters: 1,
        cgroupPaths: [],
        cgroupLimits: {},
      } as const;
      const diff = [{ field: 'namespaces.user', expected: 'new', observed: 'inherited' }];
      r.targets[0]!.posture = { observed, expected: { ...observed, namespaces: { ...observed.namespaces, user: 'new' } }, diff } as unknown as NonNullable<
        (typeof r.targets)[0]['posture']
      >;
      r.targets[1]!.posture = { ...r.targets[0]!.posture!, diff: [] };
      const md = matrixMarkdown(r);
      expect(md).to.include(
        '**Posture: asked vs delivered (information, not a verdict)**\n\n- **builtin** namespaces.user: asked new, delivered inherited\n- **builtin-share-pid** all compared fields: as asked',
      );
      expect(matrixMarkdown(smallResults())).to.not.include('Posture');
      expect(matrixHtml(r)).to.include('<h3>Posture: asked vs delivered (information, not a verdict)</h3>');
    });

    it('escapes pipes and markup so one cell cannot break the table', () => {
      const r = smallResults();
      r.targets[0]!.name = 'a|b<script>';
      expect(matrixMarkdown(r)).to.include('| check | a\\|b&lt;script&gt; | builtin-share-pid |');
    });
  });

  describe('html', () => {
    const html = matrixHtml(smallResults());

    it('is one self-contained page: styles and scripts inline, nothing loaded', () => {
      expect(html).to.match(/^<!DOCTYPE html>/);
      expect(html).to.include('<style>');
      expect(html).to.not.match(/<link|src=|<script[^>]/);
    });

    it('reads on a phone, in the dark, without colour and on paper', () => {
      expect(html).to.include('<meta name="viewport" content="width=device-width, initial-scale=1">');
      expect(html).to.include('@media (prefers-color-scheme:dark)').and.include('@media print');
      // Every <details> opens for printing: the evidence is on paper too.
      expect(html).to.include("addEventListener('beforeprint'");
      expect(html).to.include('<td class="pass"><span class="v">✓ pass</span></td>');
      expect(html).to.match(/<td class="fail"><details><summary>✗ fail<\/summary>/);
    });

    it('prints every target column within the page width, and lets a column head wrap its standing', () => {
      const print = html.slice(html.indexOf('@media print'));
      // A table wider than the page loses its right-hand columns on paper: the tables take the page width instead.
      expect(print).to.include('table.matrix,table.areas{width:100%;table-layout:fixed}');
      expect(print).to.include('thead th.target{min-width:0;max-width:none}');
      expect(print).to.include('.tally,summary,table.areas td{white-space:normal}');
      // On screen the counts stay on one line but the standing wraps, or it runs under the next column.
      expect(html).to.include('.tally .standing{white-space:normal}');
      expect(html).to.match(/<span class="tally">[^<]+<br><span class="standing">no required check failed<\/span><\/span>/);
    });

    it('headers carry their scope; rows decided alike by every target can be hidden', () => {
      expect(html).to.match(/<th scope="col" class="target">builtin</);
      expect(html).to.match(/<th scope="row" class="check">runs in its own pid namespace<br><code>pid.own-namespace<\/code>/);
      expect(html).to.include('<input type="checkbox" id="diff-only">');
      // time.offsets skips on both targets: the same verdict, hidden by the toggle.
      expect(html).to.match(/<tr data-same><th scope="row" class="check">configured clock offsets are applied/);
      expect(html).to.not.match(/<tr data-same><th scope="row" class="check">runs in its own pid namespace/);
    });

    it('links the references that have a public page', () => {
      const r = smallResults();
      r.catalogue[0]!.references = ['CVE-2019-5736', 'seccomp(2)', 'OCI runtime spec: linux.seccomp', 'a book'];
      const page = matrixHtml(r);
      expect(page).to.include('<a href="https://www.cve.org/CVERecord?id=CVE-2019-5736">CVE-2019-5736</a>');
      expect(page).to.include('<a href="https://man7.org/linux/man-pages/man2/seccomp.2.html">seccomp(2)</a>');
      expect(page).to.include('<a href="https://github.com/opencontainers/runtime-spec/blob/main/config.md">OCI runtime spec: linux.seccomp</a>');
      expect(page).to.include(' · a book</span>');
    });

    it('puts expected, observed and evidence in a <details> per cell', () => {
      expect(html).to.include(
        '<td class="fail"><details><summary>✗ fail</summary><dl><dt>expected</dt><dd><pre>new</pre></dd>' +
          '<dt>observed</dt><dd><pre>inherited</pre></dd></dl></details></td>',
      );
      expect(html).to.include('<td class="skip optional"><details><summary>– skip</summary><dl><dt>reason</dt>');
    });

    it('HTML-escapes everything and shows control characters', () => {
      const r = smallResults();
      r.targets[0]!.name = '<img src=x onerror=alert(1)>';
      r.environment.note = HOSTILE;
      const page = matrixHtml(r);
      expect(page).to.not.include('<img');
      expect(page).to.not.include('<tag');
      expect(page).to.include('&lt;tag attr=&quot;v&quot;&gt;&amp;amp; &#39;quoted&#39;');
      expect(page).to.not.match(/[\x00-\x08\x0B\x0C\x0E-\x1F]/);
    });

    it('totals each target in its column header', () => {
      expect(html).to.match(
        /<th scope="col" class="target">builtin<br><small>builtin<\/small><br><span class="tally">\d+ pass · \d+ fail · \d+ skip · \d+ error<br>/,
      );
    });

    it('shows a target that could not run in its column header', () => {
      const r = smallResults();
      r.targets[1]!.error = 'no runtime';
      expect(matrixHtml(r)).to.include('could not run: no runtime</span></th>');
    });
  });

  it('marks a control target in both formats and sums up its failures instead of listing them', () => {
    const r = smallResults();
    r.targets[1]!.control = true;
    const md = matrixMarkdown(r);
    expect(md).to.include('| check | builtin | builtin-share-pid (control) |');
    expect(md).to.include('- **builtin-share-pid** (control, deliberately weakened): 2 required checks failed, as expected');
    expect(md).to.not.include('**builtin-share-pid** `pid.own-namespace`');
    expect(matrixHtml(r)).to.include('<small>control: expected to fail</small>');
    // The area grid too: its weak areas are what it is for, not the run's worst cells.
    expect(md).to.include('| area | builtin | builtin-share-pid (control) |');
    expect(matrixHtml(r)).to.include('<th scope="col">builtin-share-pid<br><small>control: expected to fail</small></th>');
  });

  describe('provenance', () => {
    const md = matrixMarkdown(provenanceResults());
    const html = matrixHtml(provenanceResults());

    it('marks each cell with every source of its settings, most requested first', () => {
      expect(md).to.include('| `pid.host-invisible` host processes are not visible | ✅ pass ʳ | ❌ **fail** ᶜʳ |');
      expect(md).to.include('| `pid.own-namespace` runs in its own pid namespace | ✅ pass ʳ | ❌ **fail** ᶜ |');
      expect(md).to.include('| `net.loopback-unreachable` host loopback listener is unreachable | ✅ pass ʳ | ⚠️ **error** ʳ |');
      expect(md).to.include('| `time.offsets` configured clock offsets are applied | ⏭️ skip ʳᵈ | ⏭️ skip ʳᵈ |');
      expect(md).to.include('| ❌ **fail** ᵈ (not required) | — |');
    });

    it('explains the marks in a legend, only when the results carry provenance', () => {
      expect(md).to.include(
        "*Where each check's settings came from: ᶜ set by the user's target config, ʳ requested by isoprobe, ᵈ the runtime's default (nobody asked).",
      );
      expect(html).to.include('<p class="legend">Where each check&#39;s settings came from: ᶜ set by the user&#39;s target config');
      expect(matrixMarkdown(smallResults())).to.not.include('settings came from');
      expect(matrixHtml(smallResults())).to.not.include('class="legend"');
    });

    it("lists each target's request: setting, value, source, and what was not asked", () => {
      expect(md).to.include(
        '**Requests: what each runtime was asked for, and who asked**\n\n*builtin*\n\n| setting | value | source |\n|---|---|---|\n| ns.pid | new | isoprobe |',
      );
      expect(md).to.include('*builtin-share-pid*\n\n| setting | value | source |\n|---|---|---|\n| ns.pid | host | user config |');
      expect(md).to.match(/Not asked \(runtime default\): ns\.uts, ns\.ipc, ns\.user, ns\.cgroup, caps, seccomp, noNewPrivs, /);
      expect(html).to.include('<tr><th>ns.pid</th><td><pre>host</pre></td><td>user config</td></tr>');
      expect(matrixMarkdown(smallResults())).to.not.include('Requests:');
    });

    it('formats request values for people: limits, capabilities', () => {
      const r = provenanceResults();
      r.targets[0]!.request = {
        'limits.memory': { value: 268435456, source: 'user config' },
        'limits.pids': { value: 0, source: 'user config' },
        caps: { value: { add: ['CAP_NET_ADMIN'], drop: ['ALL'] }, source: 'user config' },
        timeOffsets: { value: { monotonicSec: 60, boottimeSec: 120 }, source: 'isoprobe' },
        user: { value: { uid: 1000, gid: 1000, groups: [10, 20] }, source: 'user config' },
      };
      const out = matrixMarkdown(r);
      expect(out).to.include('| limits.memory | 268435456 (256 MiB) | user config |');
      expect(out).to.include('| limits.pids | 0 (unlimited) | user config |');
      expect(out).to.include('| caps | add CAP\\_NET\\_ADMIN, drop ALL | user config |');
      expect(out).to.include('| timeOffsets | monotonicSec=60 boottimeSec=120 | isoprobe |');
      expect(out).to.include('| user | uid=1000 gid=1000 groups=\\[10,20\\] | user config |');
    });

    it('says the sources of each failure under the table', () => {
      expect(md).to.include('- **builtin-share-pid** `pid.own-namespace` fail: expected new, observed inherited — settings user config (ns.pid)\n');
      expect(md).to.include('`net.loopback-unreachable` error: probe crashed: SIGSEGV\n');
    });

    it('shows the sources in the HTML cell, as a mark with a title and in its details', () => {
      expect(html).to.include(
        '<td class="fail"><details><summary>✗ fail <span class="prov" title="user config (ns.pid), isoprobe (ns.mnt)">ᶜʳ</span></summary>',
      );
      expect(html).to.include('<dt>settings</dt><dd><pre>user config (ns.pid)</pre></dd></dl></details></td>');
    });

    it('says "not run" in the cells of a target that could not run: its error once, its request in the requests table', () => {
      const r = provenanceResults();
      r.targets[1]!.error = 'daemon gone';
      r.targets[1]!.checks = [];
      expect(matrixMarkdown(r)).to.include('| `pid.own-namespace` runs in its own pid namespace | ✅ pass ʳ | not run |');
    });

    it('shows the new areas like any other, in area order; an area without a check run has no row', () => {
      const out = matrixMarkdown(newAreas());
      expect(out).to.include(
        '| **security** | | |\n| `security.no-new-privs` no\\_new\\_privs is set | ❌ **fail** ᵈ (not required) | — |\n| **conformance** | | |\n',
      );
      expect(out).to.include('| `conformance.ns.pid` the pid namespace is as asked | ✅ pass ʳ | — |');
      expect(out).to.not.include('cross');
      expect(matrixHtml(newAreas())).to.include('<th scope="rowgroup" class="area" colspan="3">conformance</th>');
    });
  });
});
