/**
 * A failing set-up step is reported by name and errno, so a user (and these tests) can tell
 * exactly which step of container creation the kernel refused.
 */
import { expect } from 'chai';
import { SHIM_BINARY } from '../../host/paths.js';
import { DEFAULT_SPEC } from '../../model/spec.js';
import { writeIdMaps, DEFAULT_ID_MAPPING } from '../../targets/builtin/idmap.js';
import { startShim } from '../../targets/builtin/shim-session.js';
import { shimArgs } from '../../targets/builtin/shim-args.js';
import { TargetError } from '../../model/target.js';

const hooks = { onPid: (pid: number) => writeIdMaps(pid, DEFAULT_ID_MAPPING) };
const opts = { target: 't', timeoutMs: 10_000 };

async function failure(args: string[]): Promise<TargetError> {
  try {
    const shim = await startShim(SHIM_BINARY, args, hooks, opts);
    try {
      shim.release();
      await shim.wait();
    } finally {
      await shim.remove();
    }
  } catch (e) {
    if (e instanceof TargetError) return e;
    throw e;
  }
  throw new Error('the shim did not fail');
}

describe('built-in runtime set-up errors', () => {
  it('names the step and errno when the rootfs is missing', async () => {
    const e = await failure(shimArgs({ ...DEFAULT_SPEC, argv: ['/bin/true'] }, '/nonexistent-isoprobe-rootfs'));
    expect({ step: e.step, errno: e.errno }).to.deep.equal({ step: 'bind-root', errno: 2 });
    expect(e.message).to.equal('t: container setup step "bind-root" failed: ENOENT (2)');
  });

  it('names exec when the program does not exist', async () => {
    const e = await failure(shimArgs({ ...DEFAULT_SPEC, share: ['mnt'], argv: ['/no/such/program'] }, '/'));
    expect({ step: e.step, errno: e.errno }).to.deep.equal({ step: 'exec', errno: 2 });
  });
});
