import { expect } from 'chai';
import type Dockerode from 'dockerode';
import { cleanDocker, type CleanClient } from '../../../targets/docker/clean.js';
import { OWNER_LABEL } from '../../../targets/docker/daemon.js';

/** A dead pid: higher than any pid_max allows. */
const DEAD = 4_194_305;

interface FakeState {
  containers: Dockerode.ContainerInfo[];
  images: Dockerode.ImageInfo[];
  /** Refusals by container id or image ref: a modem-like error. */
  refuse: Record<string, { statusCode: number; json: { message: string } }>;
  removed: string[];
  ping?: unknown;
}

function container(id: string, owner: number): Dockerode.ContainerInfo {
  return { Id: id, Names: [`/${id}`], Labels: { isoprobe: '1', [OWNER_LABEL]: String(owner) } } as unknown as Dockerode.ContainerInfo;
}

function fake(s: FakeState): CleanClient {
  const remove = (key: string, drop: () => void) => async () => {
    if (s.refuse[key]?.statusCode === 404) drop(); // removed by someone else after we listed it
    if (s.refuse[key]) throw s.refuse[key];
    s.removed.push(key);
    drop();
  };
  return {
    ping: async () => {
      if (s.ping) throw s.ping;
      return 'OK';
    },
    listContainers: async () => [...s.containers],
    getContainer: (id: string) => ({
      remove: remove(id, () => {
        s.containers = s.containers.filter((c) => c.Id !== id);
      }),
    }),
    listImages: async () => [...s.images],
    getImage: (ref: string) => ({
      remove: remove(ref, () => {
        s.images = s.images.filter((i) => !(i.RepoTags ?? []).includes(ref) && i.Id !== ref);
      }),
    }),
  } as unknown as CleanClient;
}

const opts = (inUse: string | null = null) => ({ socketPath: '/x.sock', imagesInUse: () => inUse });

describe("Docker's part of isoprobe clean", () => {
  it('no daemon: one "not checked" item, nothing else asked', async () => {
    const s: FakeState = { containers: [], images: [], refuse: {}, removed: [], ping: Object.assign(new Error('connect ENOENT /x.sock'), { code: 'ENOENT' }) };
    expect(await cleanDocker(fake(s), opts())).to.deep.equal([
      { kind: 'docker', found: [], remaining: [], unchecked: 'no Docker daemon answers at /x.sock (connect ENOENT /x.sock)' },
    ]);
  });

  it('a daemon that answers with an error is a failure, not "no daemon"', async () => {
    const s: FakeState = { containers: [], images: [], refuse: {}, removed: [], ping: { statusCode: 500, json: { message: 'boom' } } };
    const [item] = await cleanDocker(fake(s), opts());
    expect(item.remaining).to.deep.equal(['the daemon at /x.sock: boom']);
  });

  it('removes the containers of dead runs only, then the images by tag', async () => {
    const s: FakeState = {
      containers: [container('dead', DEAD), container('mine', process.pid)],
      images: [
        { Id: 'sha256:1', RepoTags: ['isoprobe-probe:abc'] },
        { Id: 'sha256:2', RepoTags: ['<none>:<none>'] },
      ] as Dockerode.ImageInfo[],
      refuse: {},
      removed: [],
    };
    const items = await cleanDocker(fake(s), opts());
    expect(items).to.deep.equal([
      { kind: 'docker containers', found: ['dead'], remaining: [] },
      { kind: 'docker images', found: ['isoprobe-probe:abc', 'sha256:2'], remaining: [] },
    ]);
    expect(s.removed).to.deep.equal(['dead', 'isoprobe-probe:abc', 'sha256:2']);
  });

  it('keeps the images while a run is alive, and says which', async () => {
    const s: FakeState = { containers: [], images: [{ Id: 'sha256:1', RepoTags: ['isoprobe-probe:abc'] }] as Dockerode.ImageInfo[], refuse: {}, removed: [] };
    const [, images] = await cleanDocker(fake(s), opts('run 99 started meanwhile and may use it'));
    expect(images.remaining).to.deep.equal(['isoprobe-probe:abc: kept, run 99 started meanwhile and may use it']);
    expect(s.removed).to.deep.equal([]);
  });

  it("the daemon's refusals are reported in its words; a container already gone is not one", async () => {
    const s: FakeState = {
      containers: [container('gone', DEAD), container('stuck', DEAD)],
      images: [{ Id: 'sha256:1', RepoTags: ['isoprobe-probe:abc'] }] as Dockerode.ImageInfo[],
      refuse: {
        gone: { statusCode: 404, json: { message: 'No such container: gone' } },
        stuck: { statusCode: 500, json: { message: 'driver failed' } },
        'isoprobe-probe:abc': {
          statusCode: 409,
          json: { message: 'conflict: unable to remove repository reference (must force) - container 123 is using its referenced image' },
        },
      },
      removed: [],
    };
    const [containers, images] = await cleanDocker(fake(s), opts());
    expect(containers).to.deep.equal({ kind: 'docker containers', found: ['gone', 'stuck'], remaining: ['stuck: driver failed'] });
    expect(images.remaining).to.deep.equal([
      'isoprobe-probe:abc: conflict: unable to remove repository reference (must force) - container 123 is using its referenced image',
    ]);
  });
});
