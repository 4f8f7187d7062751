import { expect } from 'chai';
import { DockerApiError, dockerError } from '../../../targets/docker/errors.js';
import { TargetError } from '../../../model/target.js';

/** docker-modem's rejections: statusCode, reason and the daemon's JSON body. */
function modemError(statusCode: number, message: string): Error {
  return Object.assign(new Error(`(HTTP code ${statusCode}) unexpected - ${message}`), { statusCode, reason: 'unexpected', json: { message } });
}

describe('Docker API failures as typed errors', () => {
  const cases: [string, unknown, string, string][] = [
    ['404', modemError(404, 'No such image: isoprobe-probe:x'), 'not-found', 't: docker inspect: not found (HTTP 404): No such image: isoprobe-probe:x'],
    [
      '409',
      modemError(409, 'Conflict. The container name "/isoprobe-1-1-d" is already in use'),
      'conflict',
      't: docker inspect: conflict (HTTP 409): Conflict. The container name "/isoprobe-1-1-d" is already in use',
    ],
    [
      "500 with runc's refusal",
      modemError(500, 'failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process'),
      'daemon',
      't: docker inspect: daemon error (HTTP 500): failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process',
    ],
    [
      'no daemon',
      Object.assign(new Error('connect ECONNREFUSED /var/run/docker.sock'), { code: 'ECONNREFUSED' }),
      'unreachable',
      't: docker inspect: daemon unreachable: connect ECONNREFUSED /var/run/docker.sock',
    ],
  ];
  for (const [what, raw, kind, message] of cases) {
    it(`${what} → ${kind}, in the daemon's words`, () => {
      const e = dockerError('t', 'inspect', raw);
      expect(e).to.be.instanceOf(DockerApiError).and.instanceOf(TargetError);
      expect(e.kind).to.equal(kind);
      expect(e.message).to.equal(message);
    });
  }
});
