/**
 * The negative controls as posture diffs: the isolated built-in target delivers exactly what it
 * was asked for, and each weakening changes exactly the posture fields it should, compared with
 * the isolated container (and still delivers what its own spec asked for). Needs root and user
 * namespaces, like builtin.test.ts.
 */
import { expect } from 'chai';
import fs from 'node:fs';
import { CATALOGUE } from '../../checks/catalogue.js';
import { runSuite } from '../../engine/run.js';
import { DRIVERS } from '../../targets/registry.js';
import { scanLeftovers } from '../../host/leftovers.js';
import { RUN_ROOT } from '../../host/paths.js';
import { diffPosture } from '../../model/posture-diff.js';
import type { RunResults, TargetResult } from '../../model/results.js';
import { NAMESPACES, type Namespace } from '../../model/spec.js';
import { ISOLATED, VARIANTS } from './negative-controls.js';
import { weakeningLabel } from '../../model/weakening.js';
import { weakenings } from '../../targets/builtin/weakenings.js';

const PRIVILEGED = weakenings.find((w) => w.note === 'privileged')!;

const CAPS = ['capabilities.bounding', 'capabilities.effective', 'capabilities.permitted'];
const USER = ['namespaces.user', 'userMapping.gid', 'userMapping.uid'];

/** What each namespace shared with the host changes besides its own namespaces.<ns>, and why. */
const SHARED_ALSO: Record<Namespace, string[]> = {
  pid: [],
  net: [],
  uts: [],
  ipc: [],
  cgroup: [],
  // The shim masks nothing and mounts no read-only /proc, /sys or cgroupfs in the host's mount
  // namespace (that would change the host): the container sees the host's (catalogue: "builtin
  // share=mnt (host /proc)"). expectedPosture accepts any class there.
  mnt: ['cgroupfs', 'masked.*', 'readonly.*'],
  // Root inside is host root: the id maps are the initial namespace's identity maps.
  user: ['userMapping.gid', 'userMapping.uid'],
  // The host's time namespace has no offsets.
  time: ['timeOffsets.boottime', 'timeOffsets.monotonic'],
};

/** The compared fields each weakening changes against the isolated target, sorted. */
const CHANGES: Record<string, string[]> = {
  ...Object.fromEntries(NAMESPACES.map((ns) => [`builtin share=${ns}`, [`namespaces.${ns}`, ...SHARED_ALSO[ns]].sort()])),
  'builtin rootChange=chroot': ['rootEscape'],
  'builtin caps=all': CAPS,
  'builtin limits=none': ['limits.cpu', 'limits.memory', 'limits.pids'],
  'builtin seccomp=none': ['seccomp'],
  'builtin noNewPrivs=false': ['noNewPrivs'],
  'builtin leakHostFd=true': ['hostFds'],
  'builtin cgroupfs=rw': ['cgroupfs'],
  [weakeningLabel(PRIVILEGED)]: [...CAPS, 'cgroupfs', 'namespaces.cgroup', ...USER, 'noNewPrivs', 'seccomp'].sort(),
  // Only the cross area's sibling pair joins: the facts container, whose posture this is, is untouched.
  ...Object.fromEntries(['pid', 'ipc', 'net', 'uts'].map((ns) => [`builtin joinSibling=${ns}`, []])),
  // The posture compares the seccomp mode; what this weakens is the effective profile's i386 and x32 calls (results `seccomp`).
  'builtin seccompNativeOnly=true': [],
};

/** Why a weakening changes nothing the posture compares. */
const UNCHANGED_BECAUSE: Record<string, string> = {
  'builtin seccompNativeOnly=true': 'its filter is still a filter: the effective profile, not the posture, shows the other ABIs let through',
};

/** Sorted; the paths under masked and readonly as "masked.*" (which exist depends on the kernel). */
function fieldsOf(diff: { field: string }[]): string[] {
  return [...new Set(diff.map((d) => d.field.replace(/^(masked|readonly)\..*$/, '$1.*')))].sort();
}

function posture(results: RunResults, name: string): NonNullable<TargetResult['posture']> {
  const t = results.targets.find((x) => x.name === name);
  expect(t, `no results for ${name}`).to.not.equal(undefined);
  expect(t!.error, `${name}: ${t!.error}`).to.equal(undefined);
  expect(t!.posture, `${name} has no posture: ${t!.information?.posture}`).to.not.equal(undefined);
  return t!.posture!;
}

describe('posture of the built-in runtime and its weakenings, end to end', function () {
  this.timeout(120_000);
  let results: RunResults;
  // What other tools on this machine hold (e.g. the Vagrant gate's network namespace) is not ours.
  let already: ReturnType<typeof scanLeftovers>;

  before(async () => {
    already = scanLeftovers();
    results = await runSuite({ drivers: DRIVERS, catalogue: CATALOGUE, targets: [ISOLATED, ...VARIANTS.map((v) => v.target)], profile: 'strict' });
  });

  it('every weakening has its expected changes listed here', () => {
    expect(VARIANTS.map((v) => weakeningLabel(v.weakening)).filter((l) => !(l in CHANGES))).to.deep.equal([]);
  });

  it('the isolated target delivers what it was asked for: its diff is empty', () => {
    expect(posture(results, ISOLATED.name).diff).to.deep.equal([]);
  });

  for (const v of VARIANTS) {
    const changes = CHANGES[weakeningLabel(v.weakening)] ?? [];
    const label = weakeningLabel(v.weakening);
    const what =
      changes.length > 0
        ? `changes ${changes.join(', ')} and nothing else compared`
        : `changes nothing compared (${UNCHANGED_BECAUSE[label] ?? 'it weakens only the sibling pair'})`;
    it(`${weakeningLabel(v.weakening)}: ${what}`, () => {
      const isolated = posture(results, ISOLATED.name).observed;
      const weakened = posture(results, v.target.name);
      const changed = diffPosture(isolated, weakened.observed);
      expect(fieldsOf(changed), JSON.stringify(changed)).to.deep.equal(CHANGES[weakeningLabel(v.weakening)]);
      expect(weakened.diff, 'delivered other than its own spec asked').to.deep.equal([]);
    });
  }

  it('leaves no mount, cgroup, process, IPC object or run directory behind', () => {
    expect(scanLeftovers()).to.deep.equal(already);
    expect(fs.existsSync(RUN_ROOT), `${RUN_ROOT} still exists`).to.equal(false);
  });
});
