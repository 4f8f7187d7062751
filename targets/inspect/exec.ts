/**
 * `isoprobe inspect --exec`: the static probe copied into a container that is already running and
 * run there through the engine's own command line (docker, podman, kubectl), with no access to
 * the host beyond what that command gives. The probe removes its own file as it starts
 * (`--unlink-self`, probes/README.md), so a container without `rm` keeps nothing of it.
 */
import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import { ConfigError, EnvError } from '../../model/errors.js';

export type ExecTarget = { engine: 'docker' | 'podman'; id: string } | { engine: 'kubectl'; namespace: string; pod: string; container?: string };

/** What the container's engine says of it, and the probe's facts document from inside. */
export interface InsideFacts {
  stdout: string;
  /** Where the probe ran and what the engine said of the container (results' target info). */
  info: Record<string, string>;
  /** The engine runs the container on a sandbox kernel of its own (gVisor), and how it said so. */
  ownKernel?: string;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,252}$/;
/** Every step of the engine's command line is bounded; a hung daemon is an error, not a wait. */
const STEP_MS = 30_000;

/** `docker:<id>`, `podman:<id>`, `kubectl:<namespace>/<pod>[/<container>]`. */
export function parseExecTarget(text: string): ExecTarget {
  const [engine, rest = ''] = text.split(/:(.*)/s, 2);
  const bad = (why: string) => new ConfigError(`--exec "${text}": ${why}`);
  if (engine === 'docker' || engine === 'podman') {
    if (!NAME.test(rest)) throw bad(`expected ${engine}:<container id or name>`);
    return { engine, id: rest };
  }
  if (engine === 'kubectl') {
    const parts = rest.split('/');
    if (parts.length < 2 || parts.length > 3 || !parts.every((p) => NAME.test(p))) throw bad('expected kubectl:<namespace>/<pod>[/<container>]');
    const [namespace, pod, container] = parts as [string, string, string?];
    return { engine, namespace, pod, ...(container ? { container } : {}) };
  }
  throw bad('the engine is one of docker, podman, kubectl (docker:<id>, podman:<id>, kubectl:<namespace>/<pod>[/<container>])');
}

export function execTargetName(t: ExecTarget): string {
  return t.engine === 'kubectl' ? `kubectl:${t.namespace}/${t.pod}${t.container ? `/${t.container}` : ''}` : `${t.engine}:${t.id}`;
}

function run(binary: string, args: string[], input?: Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(binary, args, { timeout: STEP_MS, maxBuffer: 16 * 1024 * 1024, encoding: 'utf8' }, (err, stdout, stderr) => {
      if (!err) return resolve(stdout);
      const e = err as NodeJS.ErrnoException & { killed?: boolean };
      if (e.code === 'ENOENT') return reject(new EnvError(`${binary} is not installed (needed for --exec ${binary}:…)`));
      // The engines print some refusals on stdout (docker exec's OCI runtime errors).
      const said = (stderr.trim() || stdout.trim()).split('\n').pop();
      const why = e.killed ? `no answer in ${STEP_MS / 1000} s` : said || `exit ${e.code ?? '?'}`;
      reject(new EnvError(`${binary} ${args.slice(0, 2).join(' ')}: ${why}`));
    });
    // A command that exits before reading its input (no sh in the image) closes the pipe: its exit says why.
    child.stdin?.on('error', () => {});
    child.stdin?.end(input);
  });
}

/**
 * gVisor serves the rootfs to its sandbox with exclusive access, so a file `docker cp` adds is not
 * seen inside (and could not be removed from there). The probe goes in on stdin instead, through
 * the image's own sh, into the sandbox's /tmp, and removes itself as it starts.
 */
const VIA_SH = 'umask 077 && cat > "$0" && chmod 700 "$0" && exec "$0" --unlink-self facts';

/** Places the probe, runs `probe --unlink-self facts` inside, and says what the engine knows of the container. */
export async function factsFromContainer(t: ExecTarget, probe: string): Promise<InsideFacts> {
  // At the root, not /tmp: gVisor mounts a /tmp of its own over the one `docker cp` writes to.
  const dest = `/.isoprobe-probe-${crypto.randomBytes(6).toString('hex')}`;
  if (t.engine === 'kubectl') return kubectlFacts(t, probe, dest);
  const e = t.engine;
  const state = (await run(e, ['inspect', '--format', '{{.State.Running}} {{.HostConfig.Runtime}}', t.id])).trim().split(' ');
  if (state[0] !== 'true') throw new EnvError(`${e} container ${t.id} is not running: inspect needs a running container`);
  const runtime = state[1] ?? '';
  const info = { engine: e, container: t.id, ...(runtime ? { runtime } : {}) };
  if (/runsc/.test(runtime)) {
    const tmp = `/tmp${dest}`;
    const stdout = await run(e, ['exec', '-i', t.id, 'sh', '-c', VIA_SH, tmp], fs.readFileSync(probe)).catch((err: Error) => {
      throw new EnvError(`${err.message} (a gVisor container is inspected through its image's sh: a file docker cp adds is not seen in the sandbox)`);
    });
    return {
      stdout,
      info: { ...info, probe: `${tmp} (sent on stdin through sh, removed by itself)` },
      ownKernel: `gVisor (${e} runs the container with runtime ${runtime}): the facts are of gVisor's kernel`,
    };
  }
  await run(e, ['cp', probe, `${t.id}:${dest}`]).catch((err: Error) => {
    throw new EnvError(
      `cannot place the probe in ${e} container ${t.id} (${err.message}); run \`probe facts\` in it another way and judge the output with --facts FILE`,
    );
  });
  const stdout = await runProbe(
    () => run(e, ['exec', t.id, dest, '--unlink-self', 'facts']),
    () => run(e, ['exec', t.id, 'rm', '-f', dest]),
    `${e} exec ${t.id} rm -f ${dest}`,
  );
  return {
    stdout,
    info: { ...info, probe: `${dest} (copied in, removed by itself)` },
  };
}

async function kubectlFacts(t: Extract<ExecTarget, { engine: 'kubectl' }>, probe: string, dest: string): Promise<InsideFacts> {
  const ns = ['--namespace', t.namespace];
  const ctr = t.container ? ['--container', t.container] : [];
  const phase = (await run('kubectl', [...ns, 'get', 'pod', t.pod, '--output', 'jsonpath={.status.phase} {.spec.runtimeClassName}'])).trim().split(' ');
  if (phase[0] !== 'Running') throw new EnvError(`pod ${t.namespace}/${t.pod} is ${phase[0] || 'not found'}: inspect needs a running pod`);
  const runtimeClass = phase[1] ?? '';
  // kubectl cp streams a tar archive: the container needs tar (a scratch image has none).
  await run('kubectl', [...ns, 'cp', ...ctr, probe, `${t.pod}:${dest}`]);
  const stdout = await runProbe(
    () => run('kubectl', [...ns, 'exec', t.pod, ...ctr, '--', dest, '--unlink-self', 'facts']),
    () => run('kubectl', [...ns, 'exec', t.pod, ...ctr, '--', 'rm', '-f', dest]),
    `kubectl --namespace ${t.namespace} exec ${t.pod} -- rm -f ${dest}`,
  );
  return {
    stdout,
    info: { engine: 'kubectl', pod: `${t.namespace}/${t.pod}`, ...(t.container ? { container: t.container } : {}), ...(runtimeClass ? { runtimeClass } : {}) },
  };
}

/**
 * The probe's run. If it never started (a noexec /tmp), its file is still there: removed with the
 * container's own rm where it has one, else the error says it is left and how to remove it.
 */
async function runProbe(exec: () => Promise<string>, remove: () => Promise<string>, removal: string): Promise<string> {
  try {
    return await exec();
  } catch (e) {
    const removed = await remove().then(
      () => 'its copy was removed',
      () => `its copy may be left: ${removal}`,
    );
    throw new EnvError(`${(e as Error).message} (${removed})`);
  }
}
