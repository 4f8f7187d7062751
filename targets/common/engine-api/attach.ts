/**
 * A container's attach as a bare hijacked HTTP request: no body, Content-Length 0. dockerode's
 * attach sends its options as a JSON body (or, with no body, a chunked one, ended by "0\r\n\r\n"
 * when stdin is not kept open); Docker ignores those bytes, but Podman's compat API hands every
 * byte after the headers to the container's stdin, where the held probe took them for its go byte
 * and ran before the host had observed it. The upgraded socket carries the multiplexed output one
 * way and stdin the other, as Docker's own attach does.
 */
import http from 'node:http';
import type { Duplex } from 'node:stream';

export function rawAttach(socketPath: string, id: string): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    const req = http.request({
      socketPath,
      method: 'POST',
      path: `/containers/${encodeURIComponent(id)}/attach?stream=1&stdin=1&stdout=1&stderr=1`,
      headers: { Connection: 'Upgrade', Upgrade: 'tcp', 'Content-Length': '0' },
    });
    req.once('upgrade', (_res, socket, head) => {
      if (head.length > 0) socket.unshift(head);
      resolve(socket);
    });
    req.once('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.once('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown = text;
        try {
          json = JSON.parse(text);
        } catch {
          /* the text itself */
        }
        reject(Object.assign(new Error(`attach: HTTP ${res.statusCode}`), { statusCode: res.statusCode, json }));
      });
    });
    req.once('error', reject);
    req.end();
  });
}
