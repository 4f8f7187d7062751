/**
 * The catalogue's negative controls against the weakenings each target kind's tests run
 * (targets/<kind>/weakenings.ts), by value: a control a check names is run end to end, or says
 * what it `requires` that isoprobe cannot create (documented, not run).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { CATALOGUE } from '../../checks/catalogue.js';
import { sameWeakening, weakeningLabel, type Weakening } from '../../model/weakening.js';
import { weakenings as builtin } from '../../targets/builtin/weakenings.js';
import { parseTargetConfig } from '../../targets/registry.js';
import { weakenings as docker } from '../../targets/docker/weakenings.js';
import { weakenings as oci } from '../../targets/oci/weakenings.js';
import { FIREJAIL_WEAKENINGS } from '../../targets/firejail/weakenings.js';
import { LXC_WEAKENINGS } from '../../targets/lxc/weakenings.js';
import { GVISOR_WEAKENINGS } from '../../targets/gvisor/weakenings.js';
import { weakenings as podman } from '../../targets/podman/weakenings.js';
import { BWRAP_SANDBOX_WEAKENINGS, BWRAP_WEAKENINGS } from '../../targets/bwrap/weakenings.js';

const LISTS: Record<string, Weakening[]> = {
  builtin,
  docker,
  oci,
  podman,
  gvisor: [...GVISOR_WEAKENINGS],
  firejail: [...FIREJAIL_WEAKENINGS],
  lxc: [...LXC_WEAKENINGS],
  bwrap: [...BWRAP_WEAKENINGS, ...BWRAP_SANDBOX_WEAKENINGS],
};
/**
 * Checks name builtin, docker and podman controls, and the conformance checks OCI ones (the lossy runtime);
 * the other OCI weakenings are built-in twins (test/integration/oci.test.ts).
 */
const NAMED_KINDS = ['builtin', 'docker', 'podman', 'gvisor'];
/** Kinds whose lists are mostly built-in twins, of which checks name only the weakenings that flip more there. */
const TWIN_KINDS = ['oci', 'firejail', 'lxc'];
const named = CATALOGUE.flatMap((c) => c.negativeControls.map((w) => ({ id: c.id, w })));
/** The label of the weakening itself: a check's note or host condition is not part of it. */
const bare = (w: Weakening) => weakeningLabel({ kind: w.kind, settings: w.settings, ...(w.requires ? { requires: w.requires } : {}) });

describe('negative controls as data', () => {
  it("every control a check names is in its kind's list, or requires what isoprobe cannot create", () => {
    const missing = named.filter(({ w }) => !w.requires && !(LISTS[w.kind] ?? []).some((l) => sameWeakening(l, w)));
    expect(missing.map(({ id, w }) => `${id}: ${weakeningLabel(w)}`)).to.deep.equal([]);
    // bwrap: the sandbox profile's controls (model/sandbox-controls.ts) and its share=pid.
    expect([...new Set(named.map(({ w }) => w.kind))].sort()).to.deep.equal([...NAMED_KINDS, ...TWIN_KINDS, 'bwrap'].sort());
  });

  it('every weakening of the builtin, docker and podman lists is named by a check (else it could flip nothing)', () => {
    const unnamed = NAMED_KINDS.flatMap((k) => LISTS[k]).filter((l) => !named.some(({ w }) => sameWeakening(w, l)));
    expect(unnamed.map(weakeningLabel)).to.deep.equal([]);
  });

  it('every lossy-runtime weakening of the oci list is named by a conformance check', () => {
    const lossy = oci.filter((l) => typeof l.settings.binary === 'string');
    expect(lossy).to.not.be.empty;
    const unnamed = lossy.filter((l) => !named.some(({ id, w }) => id.startsWith('conformance.') && sameWeakening(w, l)));
    expect(unnamed.map(weakeningLabel)).to.deep.equal([]);
  });

  it('labels are unique: one label, one weakening', () => {
    const all = [...Object.values(LISTS).flat(), ...named.map(({ w }) => w)];
    for (const a of all) {
      const clash = all.find((b) => bare(a) === bare(b) && !sameWeakening(a, b));
      expect(clash, `${bare(a)} is the label of two weakenings`).to.equal(undefined);
    }
    for (const [kind, list] of Object.entries(LISTS)) {
      const labels = list.map(weakeningLabel);
      expect(
        labels.filter((l, i) => labels.indexOf(l) !== i),
        `${kind} lists a weakening twice`,
      ).to.deep.equal([]);
    }
  });

  it('a check names each control once', () => {
    for (const c of CATALOGUE) {
      const twice = c.negativeControls.filter((w, i) => c.negativeControls.findIndex((x) => sameWeakening(x, w)) !== i);
      expect(twice.map(weakeningLabel), c.id).to.deep.equal([]);
    }
  });

  it('every listed weakening is a valid target config of its kind', () => {
    const extra: Record<string, object> = { oci: { binary: 'runc' } };
    for (const [kind, list] of Object.entries(LISTS)) {
      for (const w of list) {
        expect(w.kind).to.equal(kind);
        const parse = () => parseTargetConfig({ targets: [{ name: 'w', runtime: kind, ...extra[kind], ...w.settings }] }, weakeningLabel(w));
        expect(parse, weakeningLabel(w)).to.not.throw();
      }
    }
  });

  it('the derived label is what people read: isoprobe list, the results catalogue and reports', () => {
    const pid = CATALOGUE.find((c) => c.id === 'pid.host-invisible')!;
    expect(pid.negativeControl).to.equal('builtin share=pid; docker hostConfig.PidMode=host; podman hostConfig.PidMode=host; builtin share=mnt (host /proc)');
    const leave = CATALOGUE.find((c) => c.id === 'cgroup.cannot-leave')!;
    expect(leave.negativeControl).to.match(
      /; docker hostConfig\.Privileged=true \(cgroup v1\); podman hostConfig\.CapAdd=SYS_ADMIN \(cgroup v1\); podman hostConfig\.Privileged=true \(cgroup v1\); lxc share=cgroup \(cgroup v1\)$/,
    );
  });
});

describe('checks/ and the weakening lists import only what they may', () => {
  const root = fileURLToPath(new URL('../../../', import.meta.url));
  const imports = (file: string) => [...readFileSync(root + file, 'utf8').matchAll(/^import .* from '([^']+)';$/gm)].map((m) => m[1]);
  for (const f of readdirSync(`${root}checks`).filter((x) => x.endsWith('.ts'))) {
    it(`checks/${f}: model/, chai and its siblings only (no node:*: a check reads no host)`, () => {
      expect(imports(`checks/${f}`).filter((i) => !/^\.\.\/model\/|^\.\/|^chai$/.test(i))).to.deep.equal([]);
    });
  }
  // bwrap's list is built from its own namespace list (./argv.js).
  for (const kind of Object.keys(LISTS).filter((k) => k !== 'bwrap')) {
    it(`targets/${kind}/weakenings.ts: model/ only`, () => {
      expect(imports(`targets/${kind}/weakenings.ts`).filter((i) => !/^\.\.\/\.\.\/model\//.test(i))).to.deep.equal([]);
    });
  }
});
