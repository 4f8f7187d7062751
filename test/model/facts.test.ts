import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { expect } from 'chai';
import { fieldPath } from '../../model/errors.js';
import { FactsError, parseFacts } from '../../model/facts.js';
import { PROBE_BINARY, REPO_ROOT } from '../../host/paths.js';

const fixture = (name: string) => fs.readFileSync(path.join(REPO_ROOT, 'test/fixtures', name), 'utf8');
const HOST = fixture('facts-host.json');
const UNSHARE = fixture('facts-unshare.json');

/** The host fixture with one change applied to its parsed form. */
// biome-ignore lint/suspicious/noExplicitAny: the tests edit the parsed document at arbitrary depths
function mutated(change: (doc: Record<string, any>) => void): string {
  const doc = JSON.parse(HOST);
  change(doc);
  return JSON.stringify(doc);
}

function factsError(stdout: string): string {
  try {
    parseFacts(stdout);
  } catch (e) {
    expect(e).to.be.instanceOf(FactsError);
    expect((e as FactsError).code).to.equal('EFACTS');
    expect((e as Error).message).to.not.include('\n');
    return (e as Error).message;
  }
  throw new Error('parseFacts accepted the input');
}

describe('parseFacts', () => {
  describe('recorded probe runs', () => {
    it('a run in the host namespaces parses; the write tests refused', () => {
      const f = parseFacts(HOST);
      expect(f.kind).to.equal('facts');
      expect(f.sentinels.set_hostname).to.deep.include({ refused: 'shared-with-host' });
      expect(f.sentinels.mount).to.deep.include({ refused: 'shared-with-host' });
      expect(f.sentinels.tcp?.errno).to.equal(0);
      expect(f.sentinels.sentinel_argv?.found).to.equal(true);
    });
    it('a run under unshare -fpmnuiUrCT parses; new namespaces, the host out of sight', () => {
      const f = parseFacts(UNSHARE);
      const host = parseFacts(HOST);
      expect(f.pid).to.equal(1);
      expect(f.proc_pids).to.deep.equal([1]);
      for (const ns of ['pid', 'mnt', 'net', 'uts', 'ipc', 'user', 'time', 'cgroup'] as const) {
        expect(f.ns[ns].link, ns).to.not.equal(host.ns[ns].link);
      }
      expect(f.sentinels.set_hostname).to.deep.equal({ name: 'isoprobe-x', errno: 0, refused: null });
      expect(f.sentinels.kill?.errno).to.equal(3);
      expect(f.sentinels.sentinel_argv?.found).to.equal(false);
      expect(f.files.timens_offsets.text).to.match(/^monotonic\s+604800\s+0\n/);
    });
    it('keeps the raw kernel texts as they were read', () => {
      const f = parseFacts(UNSHARE);
      expect(f.files.uid_map).to.deep.equal({ text: '         0          0          1\n', errno: 0, truncated: false });
    });
  });

  describe('rejects what is not a facts document, in one line', () => {
    const cases: [string, string, RegExp][] = [
      ['empty output', '', /printed nothing/],
      ['whitespace only', ' \n\t\n', /printed nothing/],
      ['a usage message', 'usage: probe facts [--tcp HOST:PORT]\n', /not JSON: "usage: probe facts/],
      ['a document cut short', HOST.slice(0, 500), /truncated JSON \(500 characters/],
      ['a JSON array', '[1,2]', /JSON but not an object/],
      ['JSON null', 'null', /JSON but not an object/],
      [
        'another schema version',
        mutated((d) => {
          d.schema = 2;
        }),
        /schema version 2 is not supported \(expected 1\)/,
      ],
      [
        'no schema version',
        mutated((d) => {
          delete d.schema;
        }),
        /schema version undefined/,
      ],
      ['another kind', '{"schema":1,"kind":"true"}', /not a facts document \(kind "true"\)/],
    ];
    for (const [name, input, message] of cases) {
      it(name, () => expect(factsError(input)).to.match(message));
    }
  });

  describe('names the field of the wrong type', () => {
    // biome-ignore lint/suspicious/noExplicitAny: each case edits the parsed document at its own depth
    const cases: [string, (d: Record<string, any>) => void, RegExp][] = [
      [
        'top-level number',
        (d) => {
          d.pid = '1';
        },
        /field pid: .*expected number/,
      ],
      [
        'nested errno',
        (d) => {
          d.sentinels.markers[1].errno = -1;
        },
        /field sentinels\.markers\[1\]\.errno: /,
      ],
      [
        'missing raw file',
        (d) => {
          delete d.files.mountinfo;
        },
        /field files\.mountinfo: /,
      ],
      [
        'file text',
        (d) => {
          d.files.status.text = null;
        },
        /field files\.status\.text: .*expected string/,
      ],
      [
        'unknown refusal',
        (d) => {
          d.sentinels.mount.refused = 'maybe';
        },
        /field sentinels\.mount\.refused: /,
      ],
      [
        'a clock the probe could not read',
        (d) => {
          d.clocks.boottime = null;
        },
        /field clocks\.boottime: /,
      ],
      [
        'several problems',
        (d) => {
          d.pid = 'x';
          d.uid = 'y';
        },
        /field pid: .*\(and 1 more problem\)$/,
      ],
    ];
    for (const [name, change, message] of cases) {
      it(name, () => expect(factsError(mutated(change))).to.match(message));
    }
  });

  it('accepts unknown extra fields and absent sentinels', () => {
    const f = parseFacts(
      mutated((d) => {
        d.future_fact = { x: 1 };
        d.sentinels = {};
      }),
    );
    expect(f.sentinels).to.deep.equal({});
  });

  it('fieldPath formats zod paths', () => {
    expect(fieldPath(['sentinels', 'markers', 0, 'errno'])).to.equal('sentinels.markers[0].errno');
    expect(fieldPath([])).to.equal('(document)');
  });
});

describe('the probe binary', () => {
  const probe = (...args: string[]) => spawnSync(PROBE_BINARY, args, { encoding: 'utf8', timeout: 10_000 });

  it('facts prints a document parseFacts accepts, escaping any bytes', () => {
    const r = probe('facts', '--marker', '/tmp/a"\\\u0001\u00e9b', '--host-pid', String(process.pid), '--mount-nonce', 'n');
    expect(r.status, r.stderr).to.equal(0);
    const f = parseFacts(r.stdout);
    expect(f.sentinels.markers).to.deep.equal([{ path: '/tmp/a"\\\u0001\u00e9b', errno: 2 }]);
    expect(f.sentinels.kill).to.deep.equal({ pid: process.pid, errno: 0 });
    expect(f.sentinels.mount?.refused).to.equal('host-ns-unknown');
    expect(f.proc_self_stat_ok).to.equal(true);
  });
  it('reports the requested sysctls and paths, /proc/self/limits and cap_last_cap (the conformance facts)', () => {
    const paths = Array.from({ length: 32 }, (_, i) => ['--path', i === 0 ? '/proc/sys' : `/isoprobe-none-${i}`]).flat();
    const r = probe('facts', '--sysctl', 'kernel.ostype', '--sysctl', 'kernel.isoprobe-none', ...paths);
    expect(r.status, r.stderr).to.equal(0);
    const f = parseFacts(r.stdout);
    expect(f.requested?.sysctls).to.deep.equal([
      { name: 'kernel.ostype', text: 'Linux\n', errno: 0 },
      { name: 'kernel.isoprobe-none', text: '', errno: 2 },
    ]);
    expect(f.requested?.paths).to.have.length(32);
    expect(f.requested?.paths[0]).to.include({ path: '/proc/sys', errno: 0 });
    expect(f.requested?.paths[1]).to.deep.equal({ path: '/isoprobe-none-1', errno: 2 });
    expect(f.files.limits?.text).to.match(/^Max open files +\d+ +\d+/m);
    expect(Number(f.files.cap_last_cap?.text)).to.be.above(36);
  });
  it('refuses a 33rd --path and a sysctl name that is not a name (usage error, nothing observed)', () => {
    const paths = Array.from({ length: 33 }, (_, i) => ['--path', `/p${i}`]).flat();
    expect(probe('facts', ...paths).status).to.equal(2);
    expect(probe('facts', '--sysctl', '../../etc/shadow').status).to.equal(2);
    expect(probe('facts', '--path', 'relative').status).to.equal(2);
  });
  it('reaches listeners that exist and reports errno for those that do not', async () => {
    const name = `isoprobe-test-${process.pid}`;
    const tcp = net.createServer();
    const abs = net.createServer();
    await new Promise<void>((ok) => tcp.listen(0, '127.0.0.1', ok));
    await new Promise<void>((ok) => abs.listen(`\0${name}`, ok));
    try {
      const port = (tcp.address() as net.AddressInfo).port;
      // Both handshakes complete in the kernel's backlog: the event loop need not run.
      const r = probe('facts', '--tcp', `127.0.0.1:${port}`, '--abstract', name, '--bind-port', String(port));
      const s = parseFacts(r.stdout).sentinels;
      expect([s.tcp?.errno, s.abstract?.errno, s.bind_port?.errno]).to.deep.equal([0, 0, 98]);
      const none = parseFacts(probe('facts', '--abstract', `${name}-absent`).stdout).sentinels;
      expect(none.abstract?.errno).to.equal(111);
    } finally {
      tcp.close();
      abs.close();
    }
  });
  it('true prints the smallest document', () => {
    const r = probe('true');
    expect([r.status, r.stdout]).to.deep.equal([0, '{"schema":1,"kind":"true"}\n']);
  });
  const usage: [string, string[], RegExp][] = [
    ['an unknown subcommand', ['nope'], /unknown subcommand 'nope'/],
    ['an unknown flag', ['facts', '--nope'], /unknown option '--nope'/],
    ['a missing value', ['facts', '--tcp'], /missing value for '--tcp'/],
    ['a malformed number', ['facts', '--host-pid', 'x'], /bad value for '--host-pid'/],
    ['a host name instead of an address', ['facts', '--tcp', 'localhost:80'], /bad value for '--tcp'/],
    ['a relative POSIX mq name', ['facts', '--mq', 'q'], /--mq NAME must start with '\/'/],
    ['an unknown namespace', ['facts', '--host-ns', 'foo:1'], /bad value for '--host-ns'/],
  ];
  for (const [name, args, message] of usage) {
    it(`exits 2 with usage on ${name}`, () => {
      const r = probe(...args);
      expect(r.status).to.equal(2);
      expect(r.stdout).to.equal('');
      expect(r.stderr)
        .to.match(message)
        .and.to.match(/^usage: probe /m);
    });
  }
});
