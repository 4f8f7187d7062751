/** `isoprobe k8s` on the command line (cli/args.ts): its options, defaults and the bad input it refuses. */
import { expect } from 'chai';
import { HELP_TEXT, K8S_DEFAULTS, parseCli, UsageError } from '../../cli/args.js';

function usageError(argv: string[]): string {
  try {
    parseCli(argv);
  } catch (e) {
    expect(e).to.be.instanceOf(UsageError);
    expect((e as Error).message).to.not.include('\n');
    return (e as Error).message;
  }
  return expect.fail(`expected a UsageError for ${JSON.stringify(argv)}`);
}

describe('cli/args: k8s', () => {
  it('a count of nodes and RuntimeClasses, with the defaults', () => {
    expect(parseCli(['k8s', '--nodes', '3', '--runtime-class', 'runc,runsc'])).to.deep.equal({
      kind: 'k8s',
      mode: 'generate',
      nodes: { count: 3 },
      runtimeClasses: [
        { name: 'runc', handler: 'runc', handlerGiven: false },
        { name: 'runsc', handler: 'runsc', handlerGiven: false },
      ],
      timeoutS: K8S_DEFAULTS.timeoutS,
      parallelism: K8S_DEFAULTS.parallelism,
    });
  });

  it('named nodes, a handler of its own, every option', () => {
    const argv = ['k8s', '--nodes', 'a.example,b', '--runtime-class', 'gvisor=runsc', '--namespace', 'probe', '--image', 'reg/isoprobe:1'];
    expect(parseCli([...argv, '--timeout', '600', '--parallelism', '25', '-o', 'out'])).to.deep.equal({
      kind: 'k8s',
      mode: 'generate',
      nodes: { names: ['a.example', 'b'] },
      runtimeClasses: [{ name: 'gvisor', handler: 'runsc', handlerGiven: true }],
      namespace: 'probe',
      image: 'reg/isoprobe:1',
      timeoutS: 600,
      parallelism: 25,
      outDir: 'out',
    });
  });

  it('--apply: named nodes, the kubeconfig and the report formats (default: as run)', () => {
    const argv = ['k8s', '--apply', '--nodes', 'a,b', '--runtime-class', 'runc', '--parallelism', '1', '--timeout', '60'];
    expect(parseCli(argv)).to.deep.equal({
      kind: 'k8s',
      mode: 'apply',
      nodes: { names: ['a', 'b'] },
      runtimeClasses: [{ name: 'runc', handler: 'runc', handlerGiven: false }],
      timeoutS: 60,
      parallelism: 1,
      formats: ['junit', 'json', 'html', 'md'],
    });
    expect(parseCli([...argv, '--kubeconfig', '/k/config', '-f', 'json,sarif', '-o', 'out'])).to.deep.include({
      mode: 'apply',
      kubeconfig: '/k/config',
      formats: ['json', 'sarif'],
      outDir: 'out',
    });
  });

  it('--record alone: the observer writing its results record', () => {
    expect(parseCli(['k8s', '--record', '/tmp/r.json'])).to.deep.equal({ kind: 'k8s', mode: 'record', resultsPath: '/tmp/r.json' });
  });

  describe('usage errors', () => {
    const cases: [string[], string][] = [
      [['k8s', '--runtime-class', 'runc'], 'k8s needs --nodes (a number of nodes, or their names)'],
      [['k8s', '--nodes', '2'], 'k8s needs --runtime-class (the RuntimeClasses to test, e.g. runc,runsc)'],
      [['k8s', '--nodes', '0', '--runtime-class', 'runc'], '--nodes "0" is not a whole number from 1 to 5000'],
      [['k8s', '--nodes', '5001', '--runtime-class', 'runc'], '--nodes "5001" is not a whole number from 1 to 5000'],
      [['k8s', '--nodes', 'Node_A', '--runtime-class', 'runc'], 'node name "Node_A" is not a DNS-1123 subdomain (as Kubernetes names nodes)'],
      [['k8s', '--nodes', 'a,,b', '--runtime-class', 'runc'], 'empty name in --nodes "a,,b"'],
      [
        ['k8s', '--nodes', '1', '--runtime-class', 'Run_SC'],
        'RuntimeClass name "Run_SC" is not a DNS-1123 subdomain (lower-case letters, digits, "-" and ".", starting and ending alphanumeric)',
      ],
      [
        ['k8s', '--nodes', '1', '--runtime-class', 'runsc-'],
        'RuntimeClass name "runsc-" is not a DNS-1123 subdomain (lower-case letters, digits, "-" and ".", starting and ending alphanumeric)',
      ],
      [['k8s', '--nodes', '1', '--runtime-class', 'a=B'], 'RuntimeClass handler "B" is not a DNS-1123 label (lower-case letters, digits and "-", at most 63)'],
      [
        ['k8s', '--nodes', '1', '--runtime-class', 'gvisor.io'],
        'RuntimeClass "gvisor.io": a handler is a DNS-1123 label, which this name is not: give it as gvisor.io=HANDLER',
      ],
      [
        ['k8s', '--nodes', '1', '--runtime-class', `${'a'.repeat(51)}`],
        `RuntimeClass name "${'a'.repeat(51)}" is longer than 50 characters (isoprobe names a target runtimeclass-<name>)`,
      ],
      [['k8s', '--nodes', '1', '--runtime-class', 'a=b,a=c'], 'RuntimeClass "a" is named twice in --runtime-class'],
      [['k8s', '--nodes', '1', '--runtime-class', 'runc', '--namespace', 'a.b'], '--namespace "a.b" is not a DNS-1123 label (as namespaces are named)'],
      [['k8s', '--nodes', '1', '--runtime-class', 'runc', '--timeout', '1.5'], '--timeout "1.5" is not a whole number from 1 to 86400'],
      [['k8s', '--nodes', '1', '--runtime-class', 'runc', '--parallelism', '0'], '--parallelism "0" is not a whole number from 1 to 5000'],
      [['k8s', '--record', 'r.json', '--nodes', '1'], '--record prints one results file\'s log record: "--nodes" does not apply to it'],
      [['k8s', '--nodes', '1', '--runtime-class', 'runc', '--profile', 'strict'], 'option "--profile" does not apply to "k8s"'],
      [
        ['k8s', '--nodes', '3', '--runtime-class', 'runc', '--apply'],
        "--apply needs the nodes' names (--nodes NAME,NAME): --nodes 3 would name placeholders no cluster has",
      ],
      [
        ['k8s', '--nodes', 'a', '--runtime-class', 'runc', '--kubeconfig', 'kc'],
        '--kubeconfig applies to k8s --apply only (without it, k8s writes files and talks to no cluster)',
      ],
      [
        ['k8s', '--nodes', 'a', '--runtime-class', 'runc', '--format', 'json'],
        '--format applies to k8s --apply only (without it, k8s writes files and talks to no cluster)',
      ],
      [
        ['k8s', '--nodes', 'a', '--runtime-class', 'runc', '--apply', '--format', 'protobuf'],
        'unknown format "protobuf" in --format (expected any of junit, json, html, md, tap, sarif, csv, github)',
      ],
      [['k8s', '--nodes', 'a', '--runtime-class', 'runc', '--apply', '--kubeconfig'], 'option "--kubeconfig" needs a value'],
      [['k8s', '--nodes', 'a', '--runtime-class', 'runc', '--apply=yes'], 'option "--apply" takes no value (got "yes")'],
      [['k8s', '--record', 'r.json', '--apply'], '--record prints one results file\'s log record: "--apply" does not apply to it'],
      [['k8s', '--apply', '--runtime-class', 'runc'], 'k8s needs --nodes (a number of nodes, or their names)'],
      [['run', '--kubeconfig', 'kc'], 'option "--kubeconfig" does not apply to "run"'],
      [['merge', 'a.json', '--apply'], 'option "--apply" does not apply to "merge"'],
      [['k8s', 'extra'], 'unexpected argument "extra" for "k8s"'],
      [['run', '--nodes', '1'], 'option "--nodes" does not apply to "run"'],
    ];
    for (const [argv, message] of cases) it(`${argv.slice(1).join(' ')} → ${message}`, () => expect(usageError(argv)).to.equal(message));
  });

  it('help k8s shows its options', () => {
    const h = parseCli(['help', 'k8s']) as { text: string };
    expect(h.text).to.match(/^Usage: isoprobe k8s \[options\]/);
    for (const o of [
      '--nodes N|LIST',
      '--runtime-class LIST',
      '--namespace NS',
      '--image IMAGE',
      '--timeout S',
      '--parallelism P',
      '--out DIR',
      '--record FILE',
      '--apply',
      '--kubeconfig FILE',
      '--format LIST',
    ])
      expect(h.text).to.include(o);
    expect(h.text).to.not.include('Options for run:');
    expect(parseCli(['k8s', '--help'])).to.deep.equal(h);
    expect(HELP_TEXT).to.match(/^ {2}k8s {17}write a Kubernetes fleet/m);
  });
});
