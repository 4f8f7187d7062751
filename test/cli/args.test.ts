import { expect } from 'chai';
import { HELP_TEXT, nearest, parseCli, UsageError } from '../../cli/args.js';

function usageError(argv: string[]): string {
  try {
    parseCli(argv);
  } catch (e) {
    expect(e).to.be.instanceOf(UsageError);
    expect((e as UsageError).code).to.equal('EUSAGE');
    expect((e as Error).message).to.not.include('\n');
    return (e as Error).message;
  }
  return expect.fail(`expected a UsageError for ${JSON.stringify(argv)}`);
}

describe('cli/args', () => {
  describe('run', () => {
    it('has defaults: builtin, baseline, reports', () => {
      expect(parseCli(['run'])).to.deep.equal({
        kind: 'run',
        runtimes: ['builtin'],
        profile: 'baseline',
        outDir: 'reports',
        formats: ['junit', 'json', 'html', 'md'],
      });
    });

    it('takes every option, long and short', () => {
      const argv = [
        'run',
        '--runtime',
        'builtin,docker',
        '-p',
        'strict',
        '--out=out/x',
        '-g',
        '^pid\\.',
        '-c',
        'targets.json',
        '--baseline',
        'old.json',
        '--share',
        'pid,net',
        '-f',
        'tap,github',
        '-q',
      ];
      expect(parseCli(argv)).to.deep.equal({
        kind: 'run',
        runtimes: ['builtin', 'docker'],
        runtimesGiven: true,
        profile: 'strict',
        outDir: 'out/x',
        grep: '^pid\\.',
        configPath: 'targets.json',
        baselinePath: 'old.json',
        share: ['pid', 'net'],
        formats: ['tap', 'github'],
        quiet: true,
      });
    });

    it('refuses an unknown format in one line, naming the nearest', () => {
      expect(() => parseCli(['run', '--format', 'junit,tapp'])).to.throw(
        UsageError,
        /^unknown format "tapp" \(did you mean "tap"\?\) in --format \(expected any of junit, json, html, md, tap, sarif, csv, github\)$/,
      );
    });

    it('merges repeated --runtime lists, trims and drops duplicates', () => {
      const cmd = parseCli(['run', '-r', 'docker, runc', '--runtime', 'docker,crun']);
      expect(cmd).to.include({ kind: 'run' }).and.to.have.deep.property('runtimes', ['docker', 'runc', 'crun']);
    });

    it('lets the last single-valued option win (so wrappers can be overridden)', () => {
      expect(parseCli(['run', '-p', 'strict', '-p', 'restricted'])).to.have.property('profile', 'restricted');
    });

    it('leaves runtime names to be validated with the config', () => {
      expect(parseCli(['run', '-r', 'my-hardened-docker'])).to.have.deep.property('runtimes', ['my-hardened-docker']);
    });
  });

  it('list, with and without a profile', () => {
    expect(parseCli(['list'])).to.deep.equal({ kind: 'list' });
    expect(parseCli(['list', '--profile', 'restricted'])).to.deep.equal({ kind: 'list', profile: 'restricted' });
  });

  it('diff takes two paths (also after --)', () => {
    expect(parseCli(['diff', 'a.json', 'b.json'])).to.deep.equal({ kind: 'diff', oldPath: 'a.json', newPath: 'b.json' });
    expect(parseCli(['diff', '--', '-old.json', 'b.json'])).to.deep.equal({ kind: 'diff', oldPath: '-old.json', newPath: 'b.json' });
  });

  it('clean, help and version', () => {
    expect(parseCli(['clean'])).to.deep.equal({ kind: 'clean' });
    expect(parseCli([])).to.deep.equal({ kind: 'help', text: HELP_TEXT });
    expect(parseCli(['help'])).to.deep.equal({ kind: 'help', text: HELP_TEXT });
    expect(parseCli(['run', '-p', 'strict', '--help'])).to.have.property('kind', 'help');
    expect(parseCli(['--version'])).to.deep.equal({ kind: 'version' });
    expect(parseCli(['version'])).to.deep.equal({ kind: 'version' });
  });

  describe('usage errors: one line quoting the bad input', () => {
    const cases: [string[], string][] = [
      [['run', '--profile', 'foo'], 'unknown profile "foo" (expected baseline, restricted, strict, sandbox)'],
      [['run', '--bogus'], 'unknown option "--bogus"'],
      [['run', '-x'], 'unknown option "-x"'],
      [['frob'], 'unknown command "frob" (expected run, list, diff, clean, merge, inspect, k8s, help, version)'],
      [['run', '--profile'], 'option "--profile" needs a value'],
      [['run', '--profile', '--out', 'x'], 'option "--profile" needs a value'],
      [['run', '--out='], 'option "--out" needs a value'],
      [['run', '--help=yes'], 'option "--help" takes no value (got "yes")'],
      [['run', '-r', 'builtin,,docker'], 'empty name in --runtime "builtin,,docker"'],
      [['run', '--share', 'pid,bogus'], 'unknown namespace "bogus" in --share (expected pid, mnt, net, uts, ipc, user, time, cgroup)'],
      [['run', '--grep', '('], 'invalid regular expression "(" for --grep'],
      [['run', 'extra'], 'unexpected argument "extra" for "run"'],
      [['list', '--runtime', 'docker'], 'option "--runtime" does not apply to "list"'],
      [['list', '-p', 'lax'], 'unknown profile "lax" (expected baseline, restricted, strict, sandbox)'],
      [['diff', 'a.json'], 'diff needs two results files, OLD and NEW (got "a.json")'],
      [['diff'], 'diff needs two results files, OLD and NEW (got none)'],
      [['clean', '--out', 'x'], 'option "--out" does not apply to "clean"'],
    ];
    for (const [argv, message] of cases) {
      it(`${argv.join(' ') || '(none)'} → ${message}`, () => expect(usageError(argv)).to.equal(message));
    }
  });

  it('HELP_TEXT documents every command, option and exit code', () => {
    for (const word of [
      'run',
      'list',
      'diff',
      'clean',
      '--runtime',
      '--profile',
      '--out',
      '--grep',
      '--config',
      '--baseline',
      '--share',
      'Exit codes',
      '  0 ',
      '  1 ',
      '  2 ',
    ]) {
      expect(HELP_TEXT).to.include(word);
    }
  });
});

describe('cli/args help and near misses', () => {
  it('gives a command its own help: help run, run --help', () => {
    const h = parseCli(['help', 'run']);
    expect(h.kind).to.equal('help');
    const text = (h as { text: string }).text;
    expect(text)
      .to.match(/^Usage: isoprobe run \[options\]\n/)
      .and.include('--format LIST')
      .and.include('Global:')
      .and.not.include('Options for list:');
    expect(parseCli(['run', '--help'])).to.deep.equal(h);
    expect((parseCli(['diff', '-h']) as { text: string }).text)
      .to.match(/^Usage: isoprobe diff OLD NEW \[options\]/)
      .and.include('--json');
  });
  it('suggests the command a typo is nearest to', () => {
    expect(() => parseCli(['rnu'])).to.throw(UsageError, /^unknown command "rnu" \(did you mean "run"\?\)/);
    expect(() => parseCli(['lst'])).to.throw(UsageError, /did you mean "list"/);
    expect(() => parseCli(['frobnicate'])).to.throw(UsageError, /^unknown command "frobnicate" \(expected /);
    expect(nearest('clena', ['run', 'clean'])).to.equal('clean');
  });
  it('takes --json on list and diff only', () => {
    expect(parseCli(['list', '--json'])).to.deep.equal({ kind: 'list', json: true });
    expect(parseCli(['diff', 'a.json', 'b.json', '--json'])).to.deep.equal({ kind: 'diff', oldPath: 'a.json', newPath: 'b.json', json: true });
    expect(() => parseCli(['run', '--json'])).to.throw(UsageError, /option "--json" does not apply to "run"/);
  });
});

describe('cli/args merge', () => {
  it("takes the files in order, with run's --out and --format defaults", () => {
    expect(parseCli(['merge', 'a/results.json', 'b.json'])).to.deep.equal({
      kind: 'merge',
      inputs: [{ file: 'a/results.json' }, { file: 'b.json' }],
      outDir: 'reports',
      formats: ['junit', 'json', 'html', 'md'],
    });
  });

  it('names a file with --as, whether or not it is given again; files only named by --as come last', () => {
    const cmd = parseCli(['merge', '--as', 'node-a=./a.json', 'a.json', 'b.json', '--as', 'node-c=c/results.json', '-o', 'out', '-f', 'json,tap']);
    expect(cmd).to.deep.equal({
      kind: 'merge',
      inputs: [{ file: 'a.json', name: 'node-a' }, { file: 'b.json' }, { file: 'c/results.json', name: 'node-c' }],
      outDir: 'out',
      formats: ['json', 'tap'],
    });
    expect(parseCli(['merge', '--as', 'x=a=b.json'])).to.have.deep.property('inputs', [{ file: 'a=b.json', name: 'x' }]);
  });

  it('has its own help: help merge, merge --help', () => {
    const h = parseCli(['help', 'merge']) as { kind: string; text: string };
    expect(h.kind).to.equal('help');
    expect(h.text)
      .to.satisfy((t: string) => t.startsWith('Usage: isoprobe merge FILE... [options]\n\n  merge FILE... '))
      .and.include('--as NAME=FILE')
      .and.include('-f, --format LIST')
      .and.include('Global:')
      .and.not.include('Options for run:');
    expect(parseCli(['merge', '--help'])).to.deep.equal(h);
  });

  const cases: [string[], string][] = [
    [['merge'], 'merge needs at least one results file (FILE... or --as NAME=FILE)'],
    [['merge', '--out', 'x'], 'merge needs at least one results file (FILE... or --as NAME=FILE)'],
    [['merge', '--as', 'a.json'], '--as "a.json" is not NAME=FILE'],
    [['merge', '--as', '=a.json'], '--as "=a.json" is not NAME=FILE'],
    [['merge', '--as', 'a='], '--as "a=" is not NAME=FILE'],
    [['merge', '--as', 'a/b=x.json'], '--as "a/b=x.json": the name "a/b" may not contain "/" (targets are named NAME/<target>)'],
    [['merge', '--profile', 'strict', 'a.json'], 'option "--profile" does not apply to "merge"'],
    [['merge', '--format', 'word', 'a.json'], 'unknown format "word" in --format (expected any of junit, json, html, md, tap, sarif, csv, github)'],
    [['run', '--as', 'a=b'], 'option "--as" does not apply to "run"'],
  ];
  for (const [argv, message] of cases) {
    it(`${argv.join(' ')} → ${message}`, () => expect(usageError(argv)).to.equal(message));
  }
});
