import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { EnvError } from '../../../model/errors.js';
import { dockerClient, pingDaemon } from '../../../targets/docker/daemon.js';

describe('the Docker daemon preflight', () => {
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'isoprobe-docker-sock-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('no socket: an environment error (exit 2) that says to start dockerd', async () => {
    const sock = path.join(dir, 'absent.sock');
    const err = await pingDaemon(dockerClient(sock), sock).catch((e) => e);
    expect(err).to.be.instanceOf(EnvError);
    expect(err.message).to.match(new RegExp(`^no Docker daemon at ${sock} \\(start dockerd\\): .*ENOENT`));
  });

  it('a socket nobody answers on properly: the same error, with what the transport said', async () => {
    const sock = path.join(dir, 'mute.sock');
    const server = net.createServer((c) => c.end('HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n'));
    await new Promise<void>((resolve) => server.listen(sock, resolve));
    try {
      const err = await pingDaemon(dockerClient(sock), sock).catch((e) => e);
      expect(err).to.be.instanceOf(EnvError);
      expect(err.message).to.match(/^no Docker daemon at .*mute\.sock \(start dockerd\)/);
    } finally {
      server.close();
    }
  });

  it('a socket that never answers: the same error after the bounded wait, not a hang', async () => {
    const sock = path.join(dir, 'silent.sock');
    const held: net.Socket[] = [];
    const server = net.createServer((c) => {
      held.push(c);
    });
    await new Promise<void>((resolve) => server.listen(sock, resolve));
    try {
      const err = await pingDaemon(dockerClient(sock), sock, 200).catch((e) => e);
      expect(err).to.be.instanceOf(EnvError);
      expect(err.message).to.match(/^no Docker daemon at .*silent\.sock \(start dockerd\): no answer within 0\.2 s$/);
    } finally {
      for (const c of held) c.destroy();
      server.close();
    }
  });
});
