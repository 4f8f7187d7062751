import fs from 'node:fs';
import os from 'node:os';
import { expect } from 'chai';
import { captureHostView } from '../../host/host-view.js';

describe('host view', () => {
  it("records our own namespaces, the children's, identity and mount table", () => {
    const v = captureHostView();
    expect(v.ns.uts.link).to.equal(fs.readlinkSync('/proc/self/ns/uts'));
    expect(v.ns.user.ino).to.equal(fs.statSync('/proc/self/ns/user').ino);
    expect(v.nsForChildren.pid.link).to.equal(fs.readlinkSync('/proc/self/ns/pid_for_children'));
    expect(v.nsForChildren.time.ino).to.equal(fs.statSync('/proc/self/ns/time_for_children').ino);
    expect(v).to.include({ hostname: os.hostname(), uid: process.getuid!(), gid: process.getgid!() });
    expect(v.bootId).to.match(/^[0-9a-f-]{36}$/);
    expect(v.root).to.deep.equal({ dev: fs.statSync('/').dev, ino: fs.statSync('/').ino });
    expect(v.mountinfo).to.match(/ \/ \/ /);
    // Interfaces that are up and running are there; the routing table may name more (no carrier).
    const running = Object.values(os.networkInterfaces())
      .flat()
      .filter((a) => a && !a.internal && a.family === 'IPv4')
      .map((a) => a!.address);
    expect(v.ipv4Addresses).to.include.members(running);
  });

  it('is plain data (survives a JSON round trip)', () => {
    const v = captureHostView();
    expect(JSON.parse(JSON.stringify(v))).to.deep.equal(v);
  });
});
