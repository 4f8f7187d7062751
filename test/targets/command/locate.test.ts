import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { expect } from 'chai';
import { fileId, findWorkload, nonceArg } from '../../../targets/command/locate.js';

describe('command target: finding the workload by its nonce', () => {
  it('finds the process whose argv has the nonce and whose exe is the file, not another one carrying the nonce', async () => {
    const nonce = `t${process.pid}${Date.now()}`;
    // The wrapper (sh) carries the nonce in its argv too; only the bash under it is the "probe".
    const child = spawn('/bin/sh', ['-c', 'bash -c "sleep 30; true" "$0"; true', nonceArg(nonce)], { stdio: 'ignore', detached: true });
    try {
      let pid: number | null = null;
      for (let i = 0; i < 200 && pid === null; i++) {
        pid = findWorkload(nonce, fileId('/bin/bash'));
        if (pid === null) await new Promise((r) => setTimeout(r, 10));
      }
      expect(pid).to.not.equal(null).and.not.equal(child.pid);
      expect(findWorkload(nonce, fileId('/bin/sh'))).to.equal(child.pid); // the wrapper itself, when it is the file asked for
      expect(findWorkload(nonce, fileId('/bin/cat'))).to.equal(null);
      expect(findWorkload(`${nonce}x`, fileId('/bin/bash'))).to.equal(null);
    } finally {
      process.kill(-child.pid!, 'SIGKILL');
      await once(child, 'exit');
    }
  });
});
