import { expect } from 'chai';
import type Dockerode from 'dockerode';
import type { Resource } from '../../../../model/journal.js';
import { cleanDocker, type CleanClient } from '../../../../targets/common/engine-api/clean.js';
import { RUN_LABEL } from '../../../../targets/common/engine-api/labels.js';

interface FakeContainer {
  Id: string;
  name: string;
  labels: Record<string, string>;
}

interface FakeState {
  containers: FakeContainer[];
  images: Dockerode.ImageInfo[];
  /** Refusals by container id or image ref: a modem-like error. */
  refuse: Record<string, { statusCode: number; json: { message: string } }>;
  removed: string[];
  ping?: unknown;
}

const notFound = { statusCode: 404, json: { message: 'No such container' } };

function container(name: string, run: string | null): FakeContainer {
  return { Id: `id-${name}`, name, labels: { isoprobe: '1', ...(run ? { [RUN_LABEL]: run } : {}) } };
}

function fake(s: FakeState): CleanClient {
  const find = (key: string) => s.containers.find((c) => c.name === key || c.Id === key);
  return {
    ping: async () => {
      if (s.ping) throw s.ping;
      return 'OK';
    },
    getContainer: (key: string) => ({
      inspect: async () => {
        const c = find(key);
        if (!c) throw notFound;
        return { Id: c.Id, Config: { Labels: c.labels } };
      },
      remove: async () => {
        const c = find(key);
        if (s.refuse[c?.name ?? key]) throw s.refuse[c?.name ?? key];
        if (!c) throw notFound;
        s.removed.push(c.name);
        s.containers = s.containers.filter((x) => x !== c);
      },
    }),
    listImages: async () => [...s.images],
    getImage: (ref: string) => ({
      remove: async () => {
        if (s.refuse[ref]) throw s.refuse[ref];
        s.removed.push(ref);
        s.images = s.images.filter((i) => !(i.RepoTags ?? []).includes(ref) && i.Id !== ref);
      },
    }),
  } as unknown as CleanClient;
}

const entry = (name: string, run: string): Resource => ({ kind: 'docker', name, run });

function opts(entries: Resource[] = [], inUse: string | null = null, shared = true) {
  const kept: Resource[] = [];
  return { socketPath: '/x.sock', imagesInUse: () => inUse, entries, shared, keep: (e: Resource) => kept.push(e), kept };
}

describe("Docker's part of the reaper (journalled containers, then the images)", () => {
  it('no daemon: one "not checked" item, nothing else asked, the entries kept', async () => {
    const s: FakeState = { containers: [], images: [], refuse: {}, removed: [], ping: Object.assign(new Error('connect ENOENT /x.sock'), { code: 'ENOENT' }) };
    const o = opts([entry('a', 'r1')]);
    expect(await cleanDocker(fake(s), o)).to.deep.equal([
      { kind: 'docker', found: [], remaining: [], unchecked: 'no Docker daemon answers at /x.sock (connect ENOENT /x.sock)' },
    ]);
    expect(o.kept).to.have.length(1);
  });

  it('permission denied on the socket is a failure saying so, not "no daemon answers"', async () => {
    const s: FakeState = { containers: [], images: [], refuse: {}, removed: [], ping: Object.assign(new Error('connect EACCES /x.sock'), { code: 'EACCES' }) };
    const [item] = await cleanDocker(fake(s), opts());
    expect(item).to.deep.equal({ kind: 'docker', found: [], remaining: ['the daemon at /x.sock: permission denied (EACCES), run as root'] });
  });

  it('a daemon that answers with an error is a failure, not "no daemon"', async () => {
    const s: FakeState = { containers: [], images: [], refuse: {}, removed: [], ping: { statusCode: 500, json: { message: 'boom' } } };
    const [item] = await cleanDocker(fake(s), opts());
    expect(item.remaining).to.deep.equal(['the daemon at /x.sock: boom']);
  });

  it("removes exactly the journalled containers that carry their run's label; one named like ours is left", async () => {
    const s: FakeState = {
      containers: [container('ours', 'r1'), container('relabelled', 'r2'), container('isoprobe-1-1-foreign', null), container('live', 'r9')],
      images: [
        { Id: 'sha256:1', RepoTags: ['isoprobe-probe:abc'] },
        { Id: 'sha256:2', RepoTags: ['<none>:<none>'] },
      ] as Dockerode.ImageInfo[],
      refuse: {},
      removed: [],
    };
    const o = opts([entry('ours', 'r1'), entry('relabelled', 'r1'), entry('gone', 'r1')]);
    const items = await cleanDocker(fake(s), o);
    expect(items).to.deep.equal([
      { kind: 'docker containers', found: ['ours'], remaining: [] },
      { kind: 'docker images', found: ['isoprobe-probe:abc', 'sha256:2'], remaining: [] },
    ]);
    expect(s.removed).to.deep.equal(['ours', 'isoprobe-probe:abc', 'sha256:2']);
    expect(s.containers.map((c) => c.name)).to.deep.equal(['relabelled', 'isoprobe-1-1-foreign', 'live']);
    expect(o.kept).to.deep.equal([]);
  });

  it("a run's start: the containers only, never the images", async () => {
    const s: FakeState = { containers: [], images: [{ Id: 'sha256:1', RepoTags: ['isoprobe-probe:abc'] }] as Dockerode.ImageInfo[], refuse: {}, removed: [] };
    expect(await cleanDocker(fake(s), opts([], null, false))).to.deep.equal([{ kind: 'docker containers', found: [], remaining: [] }]);
  });

  it('keeps the images while a run is alive, and says which', async () => {
    const s: FakeState = { containers: [], images: [{ Id: 'sha256:1', RepoTags: ['isoprobe-probe:abc'] }] as Dockerode.ImageInfo[], refuse: {}, removed: [] };
    const [, images] = await cleanDocker(fake(s), opts([], 'run 99 started meanwhile and may use it'));
    expect(images.remaining).to.deep.equal(['isoprobe-probe:abc: kept, run 99 started meanwhile and may use it']);
    expect(s.removed).to.deep.equal([]);
  });

  it("the daemon's refusals are reported in its words, and that entry kept", async () => {
    const s: FakeState = {
      containers: [container('stuck', 'r1')],
      images: [{ Id: 'sha256:1', RepoTags: ['isoprobe-probe:abc'] }] as Dockerode.ImageInfo[],
      refuse: {
        stuck: { statusCode: 500, json: { message: 'driver failed' } },
        'isoprobe-probe:abc': {
          statusCode: 409,
          json: { message: 'conflict: unable to remove repository reference (must force) - container 123 is using its referenced image' },
        },
      },
      removed: [],
    };
    const o = opts([entry('stuck', 'r1')]);
    const [containers, images] = await cleanDocker(fake(s), o);
    expect(containers).to.deep.equal({ kind: 'docker containers', found: ['stuck'], remaining: ['stuck: driver failed'] });
    expect(o.kept).to.deep.equal([entry('stuck', 'r1')]);
    expect(images.remaining).to.deep.equal([
      'isoprobe-probe:abc: conflict: unable to remove repository reference (must force) - container 123 is using its referenced image',
    ]);
  });
});
