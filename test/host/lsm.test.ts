import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { readHostLsm } from '../../host/lsm.js';
import { judgeLabel } from '../../model/lsm.js';

/** A fixture host root holding only the given files. */
function hostTree(files: Record<string, string>): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'isoprobe-lsm-'));
  for (const [f, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, f)), { recursive: true });
    fs.writeFileSync(path.join(root, f), text);
  }
  return root;
}

describe('host LSM (host/lsm.ts readHostLsm)', () => {
  const LSM = 'sys/kernel/security/lsm';
  const AA = 'sys/module/apparmor/parameters/enabled';
  const SE = 'sys/fs/selinux/enforce';
  const roots: string[] = [];
  after(() => {
    for (const r of roots) fs.rmSync(r, { recursive: true, force: true });
  });

  for (const [what, files, active] of [
    ['Debian with AppArmor', { [LSM]: 'lockdown,capability,landlock,yama,apparmor,tomoyo', [AA]: 'Y\n' }, 'apparmor'],
    ['AppArmor built in but left out of lsm=', { [LSM]: 'lockdown,capability,yama', [AA]: 'Y\n' }, null],
    ['AppArmor listed but disabled (apparmor=0)', { [LSM]: 'capability,apparmor', [AA]: 'N\n' }, null],
    ['AppArmor module, securityfs not mounted', { [AA]: 'Y\n' }, null],
    ['Fedora with SELinux', { [LSM]: 'lockdown,capability,yama,selinux,bpf,landlock', [SE]: '1' }, 'selinux'],
    ['SELinux permissive still labels', { [LSM]: 'capability,selinux', [SE]: '0' }, 'selinux'],
    ['SELinux listed, selinuxfs absent (disabled at boot)', { [LSM]: 'capability,selinux' }, null],
    ["no LSM files at all (this project's VM)", {}, null],
  ] as const) {
    it(`${what}: ${active ?? 'none'}`, () => {
      const root = hostTree(files);
      roots.push(root);
      const got = readHostLsm(root);
      expect(got.active).to.equal(active);
      expect(got.evidence).to.include('/sys/kernel/security/lsm: ');
    });
  }
});

describe('LSM label judgement (host/lsm.ts judgeLabel)', () => {
  for (const [lsm, raw, confined] of [
    ['apparmor', 'docker-default (enforce)\n', true],
    ['apparmor', 'cri-containerd.apparmor.d (enforce)\n', true],
    ['apparmor', 'isoprobe-test (kill)\n', true],
    ['apparmor', 'unconfined\n', false],
    ['apparmor', 'unconfined', false],
    ['apparmor', 'docker-default (complain)\n', false],
    ['apparmor', 'lax (unconfined)\n', false],
    ['apparmor', 'no-mode-shown\n', false],
    ['apparmor', '', false],
    ['selinux', 'system_u:system_r:container_t:s0:c123,c456\0', true],
    ['selinux', 'system_u:system_r:spc_t:s0\0', false],
    ['selinux', 'unconfined_u:unconfined_r:unconfined_t:s0-s0:c0.c1023\0', false],
    ['selinux', 'kernel\0', false],
  ] as const) {
    it(`${lsm} ${JSON.stringify(raw)}: ${confined ? 'confined' : 'not confined'}`, () => {
      const j = judgeLabel(lsm, raw);
      expect(j.confined, j.why).to.equal(confined);
      expect(j.label).to.not.match(/[\0\n]$/);
    });
  }
});
