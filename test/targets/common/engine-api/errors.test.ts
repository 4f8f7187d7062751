import { expect } from 'chai';
import { DeadlineError } from '../../../../model/deadline.js';
import { api, DockerApiError, dockerError, forgetBrokenDaemons } from '../../../../targets/common/engine-api/errors.js';
import { TargetError } from '../../../../model/target.js';

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
      "t: the Docker daemon at /var/run/docker.sock refused 'inspect' (ECONNREFUSED: is dockerd running?)",
    ],
    [
      'a daemon that does not answer',
      new DeadlineError('inspect', 10_000),
      'hung',
      "t: the Docker daemon at /var/run/docker.sock did not answer 'inspect' within 10 s (is dockerd stopped?)",
    ],
  ];
  for (const [what, raw, kind, message] of cases) {
    it(`${what} → ${kind}, in the daemon's words`, () => {
      const e = dockerError({ target: 't', socket: '/var/run/docker.sock' }, 'inspect', raw);
      expect(e).to.be.instanceOf(DockerApiError).and.instanceOf(TargetError);
      expect(e.kind).to.equal(kind);
      expect(e.message).to.equal(message);
    });
  }
});

describe('api: every call has a deadline', () => {
  afterEach(() => forgetBrokenDaemons());
  const d = { target: 't', socket: '/tmp/hung.sock' };
  it('a call the daemon never answers fails within its bound, naming the daemon and the call', async () => {
    const t0 = Date.now();
    const e = (await api(d, 'container create', () => new Promise(() => {}), 100).catch((x) => x)) as Error;
    expect(Date.now() - t0).to.be.lessThan(1000);
    expect(e).to.be.instanceOf(DockerApiError);
    expect(e.message).to.equal("t: the Docker daemon at /tmp/hung.sock did not answer 'container create' within 0.1 s (is dockerd stopped?)");
  });
  it('after one such failure the next calls fail at once, removals are still tried', async () => {
    await api(d, 'ping', () => new Promise(() => {}), 50).catch(() => {});
    const e = (await api(d, 'container start', () => Promise.resolve('late')).catch((x) => x)) as Error;
    expect(e.message).to.contain("did not answer 'ping'");
    expect(await api(d, 'container remove', () => Promise.resolve('tried'))).to.equal('tried');
  });
});
