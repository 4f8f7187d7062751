import { expect } from 'chai';
import { findBinary } from '../../host/which.js';
import { EnvError } from '../../model/errors.js';
import { oci, type OciTargetConfig } from '../../targets/oci/driver.js';
import { builtin, type BuiltinTargetConfig } from '../../targets/builtin/driver.js';
import { DRIVERS, knownShorthands, parseTargetConfig } from '../../targets/registry.js';

describe('target registry', () => {
  it('finds a runtime binary by name in PATH or by path', () => {
    expect(findBinary('sh')).to.match(/\/sh$/);
    expect(findBinary('/bin/sh')).to.equal('/bin/sh');
    expect(findBinary('isoprobe-no-such-runtime')).to.equal(null);
  });

  it("one driver per kind; the --runtime names are the drivers' shorthands, each a valid config of its kind", () => {
    const kinds = DRIVERS.map((d) => d.kind);
    expect(new Set(kinds).size).to.equal(kinds.length);
    expect(knownShorthands).to.deep.equal(DRIVERS.flatMap((d) => Object.keys(d.shorthands)));
    expect(knownShorthands).to.include.members(['builtin', 'docker', 'runc', 'crun']);
    for (const d of DRIVERS) {
      for (const raw of Object.values(d.shorthands)) expect((d.config.parse(raw) as { runtime: string }).runtime).to.equal(d.kind);
    }
  });

  it('preflight: an OCI runtime that is not installed is an environment error naming the target', async () => {
    const targets = parseTargetConfig({ targets: [{ name: 'my-oci', runtime: 'oci', binary: 'isoprobe-no-such-runtime' }] }, 'x');
    const err = await oci.preflight(targets as OciTargetConfig[]).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(EnvError);
    expect((err as Error).message).to.equal('the OCI runtime "isoprobe-no-such-runtime" of target "my-oci" is not installed (not found in PATH)');
  });

  it('describes what a target asked for, and who asked', () => {
    const [b] = parseTargetConfig({ targets: [{ name: 'b', runtime: 'builtin', share: ['pid'], cgroupfs: 'rw' }] }, 'x');
    const rows = builtin.describe(b as BuiltinTargetConfig);
    expect(rows.map((r) => `${r.setting}=${r.value}`).join(' ')).to.equal(
      'share=pid root=pivot_root caps=default limits=default seccomp=default no-new-privs=true cgroupfs=rw',
    );
    expect(rows.find((r) => r.setting === 'share')!.source).to.equal('user config');
    expect(rows.find((r) => r.setting === 'caps')!.source).to.equal('isoprobe');
    const [d] = parseTargetConfig({ targets: [{ name: 'd', runtime: 'docker' }] }, 'x');
    const docker = DRIVERS.find((x) => x.kind === 'docker')!;
    expect(docker.describe(d as never).find((r) => r.setting === 'caps')!.source).to.equal('runtime default');
  });
});
