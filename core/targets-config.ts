/**
 * Named targets from `--runtime a,b` or a config file, validated: a malformed file is one clear
 * line naming the file and the field, never a crash later in the run.
 */
import fs from 'node:fs';
import { z } from 'zod';
import { ConfigError } from './errors.js';
import { DEFAULT_SPEC, NAMESPACES, type ContainerSpec } from './spec.js';

const name = z.string().regex(/^[a-z0-9][a-z0-9._-]{0,62}$/, 'lower-case letters, digits, ".", "_" and "-"');

const builtinTarget = z.strictObject({
  name,
  runtime: z.literal('builtin'),
  /** Namespaces shared with the host: the negative controls. */
  share: z.array(z.enum(NAMESPACES)).default([]),
  rootChange: z.enum(['pivot_root', 'chroot']).default('pivot_root'),
  caps: z.enum(['default', 'all']).default('default'),
  limits: z.enum(['default', 'none']).default('default'),
  /** Optional so that configs and literals written before these options stay valid. */
  seccomp: z.enum(['default', 'none']).optional(),
  noNewPrivs: z.boolean().optional(),
  leakHostFd: z.boolean().optional(),
});

export type TargetConfig = z.infer<typeof builtinTarget>;

const configFile = z.strictObject({ targets: z.array(builtinTarget).min(1) });

export const KNOWN_RUNTIMES = ['builtin'] as const;

export function targetsFromRuntimes(runtimes: string[]): TargetConfig[] {
  return runtimes.map((r) => {
    if (r === 'builtin') return builtinTarget.parse({ name: 'builtin', runtime: 'builtin' });
    throw new ConfigError(`unknown runtime "${r}" (known: ${KNOWN_RUNTIMES.join(', ')})`);
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
    share: t.share,
    rootChange: t.rootChange,
    caps: t.caps,
    seccomp: t.seccomp ?? 'default',
    noNewPrivs: t.noNewPrivs ?? true,
    leakHostFd: t.leakHostFd ?? false,
    limits: t.limits === 'none' ? {} : DEFAULT_SPEC.limits,
    argv,
  };
}
