/**
 * Named targets from `--runtime a,b` or a config file, validated: a malformed file is one clear
 * line naming the file and the field, never a crash later in the run.
 */
import fs from 'node:fs';
import { z } from 'zod';
import { ConfigError } from '../model/errors.js';
import { DEFAULT_SPEC, NAMESPACES, type ContainerSpec } from '../model/spec.js';

const name = z.string().regex(/^[a-z0-9][a-z0-9._-]{0,62}$/, 'lower-case letters, digits, ".", "_" and "-"');

/** The weakenings every runtime can express (model/spec.ts), with the same defaults everywhere. */
const specOptions = {
  caps: z.enum(['default', 'all']).default('default'),
  limits: z.enum(['default', 'none']).default('default'),
  /** Optional so that configs and literals written before these options stay valid. */
  seccomp: z.enum(['default', 'none']).optional(),
  noNewPrivs: z.boolean().optional(),
};

/**
 * `control: true` marks a negative-control target: deliberately weakened (e.g. Docker's
 * Privileged), expected to fail. Its failures do not fail the run; failing no required check does,
 * since the suite then cannot tell it from an isolated target (reports/summary.ts).
 */
const verdictOptions = { control: z.boolean().optional() };

/** Docker and the OCI runtimes always pivot_root; the field exists so every target describes its root change. */
const pivotRootOnly = z.literal('pivot_root', { error: 'only the built-in runtime can use "chroot"' }).default('pivot_root');

/** A JSON object given verbatim to the runtime (HostConfig, a config.json merge patch). */
const rawObject = z.record(z.string(), z.unknown());

const builtinTarget = z.strictObject({
  name,
  runtime: z.literal('builtin'),
  /** Namespaces shared with the host: the negative controls. */
  share: z.array(z.enum(NAMESPACES)).default([]),
  rootChange: z.enum(['pivot_root', 'chroot']).default('pivot_root'),
  ...specOptions,
  ...verdictOptions,
  leakHostFd: z.boolean().optional(),
  /** The cgroupfs mounted inside: read-only (default) or writable (a weakening). */
  cgroupfs: z.enum(['ro', 'rw']).optional(),
});

/** Docker can share these with the host (PidMode, NetworkMode, IpcMode, UTSMode, CgroupnsMode, UsernsMode); never mnt or time. */
export const DOCKER_SHAREABLE = ['pid', 'net', 'ipc', 'uts', 'cgroup', 'user'] as const;

const dockerTarget = z.strictObject({
  name,
  runtime: z.literal('docker'),
  share: z.array(z.enum(DOCKER_SHAREABLE)).default([]),
  rootChange: pivotRootOnly,
  ...specOptions,
  ...verdictOptions,
  /** Raw Docker HostConfig fields (PascalCase, as the Engine API spells them) over the translated ones. */
  hostConfig: rawObject.refine((o) => Object.keys(o).every((k) => /^[A-Z]/.test(k)),
    'HostConfig field names are PascalCase, as the Docker Engine API spells them (e.g. "PidMode")').optional(),
  /** A runtime registered with dockerd (HostConfig.Runtime), e.g. "crun". */
  dockerRuntime: z.string().min(1).optional(),
});

const ociTarget = z.strictObject({
  name,
  runtime: z.literal('oci'),
  /** The OCI runtime binary: a name looked up in PATH, or a path. */
  binary: z.string().min(1),
  share: z.array(z.enum(NAMESPACES)).default([]),
  rootChange: pivotRootOnly,
  ...specOptions,
  ...verdictOptions,
  /** An RFC 7386 JSON merge patch applied to the generated config.json. */
  specPatch: rawObject.optional(),
});

const targetConfig = z.discriminatedUnion('runtime', [builtinTarget, dockerTarget, ociTarget]);

export type TargetConfig = z.infer<typeof targetConfig>;
export type BuiltinTargetConfig = z.infer<typeof builtinTarget>;
export type DockerTargetConfig = z.infer<typeof dockerTarget>;
export type OciTargetConfig = z.infer<typeof ociTarget>;

const configFile = z.strictObject({ targets: z.array(targetConfig).min(1) });

/** What `--runtime` accepts: each name is a target with that runtime's defaults. */
const RUNTIME_DEFAULTS: Record<string, unknown> = {
  builtin: { name: 'builtin', runtime: 'builtin' },
  docker: { name: 'docker', runtime: 'docker' },
  runc: { name: 'runc', runtime: 'oci', binary: 'runc' },
  crun: { name: 'crun', runtime: 'oci', binary: 'crun' },
};

export const KNOWN_RUNTIMES = Object.keys(RUNTIME_DEFAULTS);

export function targetsFromRuntimes(runtimes: string[]): TargetConfig[] {
  return runtimes.map((r) => {
    const defaults = Object.hasOwn(RUNTIME_DEFAULTS, r) ? RUNTIME_DEFAULTS[r] : undefined;
    if (!defaults) throw new ConfigError(`unknown runtime "${r}" (known: ${KNOWN_RUNTIMES.join(', ')}; others through --config)`);
    return targetConfig.parse(defaults);
  });
}

export function targetsFromFile(file: string): TargetConfig[] {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new ConfigError(`cannot read target config ${file}: ${(e as Error).message}`);
  }
  return parseTargetConfig(raw, file);
}

export function parseTargetConfig(raw: unknown, source: string): TargetConfig[] {
  const parsed = configFile.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(`invalid target config ${source}: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  const names = parsed.data.targets.map((t) => t.name);
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup) throw new ConfigError(`invalid target config ${source}: target name "${dup}" is used twice`);
  return parsed.data.targets;
}

/** The container spec a target config asks for (argv is the orchestrator's). */
export function specFor(t: TargetConfig, argv: string[]): ContainerSpec {
  return {
    ...DEFAULT_SPEC,
    share: [...t.share],
    rootChange: t.rootChange,
    caps: t.caps,
    seccomp: t.seccomp ?? 'default',
    noNewPrivs: t.noNewPrivs ?? true,
    leakHostFd: t.runtime === 'builtin' ? (t.leakHostFd ?? false) : false,
    cgroupfs: t.runtime === 'builtin' ? (t.cgroupfs ?? 'ro') : 'ro',
    limits: t.limits === 'none' ? {} : DEFAULT_SPEC.limits,
    argv,
  };
}
