/**
 * What every kind's target config has (name, the spec options, `control`), the container spec
 * and the settings described from it, and the parsing of `--runtime` names and config files
 * derived from a list of drivers: a malformed file is one clear line naming the file and the
 * field, never a crash later in the run.
 */
import { z } from 'zod';
import fs from 'node:fs';
import { readBounded } from '../../host/files.js';
import type { ConfigOf, Setting, SettingSource, TargetConfigBase, TargetDriver } from '../../model/driver.js';
import { ConfigError } from '../../model/errors.js';
import { JsonInputError, parseJsonStrictly } from '../../model/parse/json.js';
import { capNames, parseStatus } from '../../model/parse/status.js';
import type { Request, RequestSource } from '../../model/request.js';
import { SIBLING_NAMESPACES } from '../../model/sibling.js';
import { DEFAULT_SPEC, NAMESPACES, type ContainerSpec } from '../../model/spec.js';

/**
 * Bounds of a config file: far above any real one (a few KiB, a handful of levels), low enough
 * that a wrong file or a pathological one is refused before it is parsed or walked.
 */
export const CONFIG_LIMITS = { maxBytes: 1024 * 1024, maxDepth: 32 };

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

/** Runtimes other than the built-in one always pivot_root; the field exists so every target describes its root change. */
export const pivotRootOnly = z.literal('pivot_root', { error: 'only the built-in runtime can use "chroot"' }).default('pivot_root');

/**
 * The namespaces of the first of a pair of sibling containers the second one joins (the cross
 * area's negative controls, engine/cross.ts): only the pair, never the facts container. A field of
 * the kinds that can express it (bwrap cannot: its config refuses the field).
 */
export const joinSiblingField = { joinSibling: z.array(z.enum(SIBLING_NAMESPACES)).min(1).optional() };

/** A JSON object given verbatim to the runtime (HostConfig, a config.json merge patch). */
export const rawObject = z.record(z.string(), z.unknown());

/**
 * A kind's config: name, `runtime: <kind>`, its own fields (share and rootChange among them:
 * what a kind can share or change differs), then the common options. Strict: an unknown field is
 * a typo to report, not to ignore.
 */
export function targetSchema<K extends string, F extends z.ZodRawShape>(kind: K, fields: F) {
  return z.strictObject({ name, runtime: z.literal(kind), ...fields, ...specOptions, ...verdictOptions });
}

/** The spec the common options ask for; a kind adds its own fields (the built-in runtime's cgroupfs). */
export function baseSpec(t: TargetConfigBase, argv: string[]): ContainerSpec {
  return {
    ...DEFAULT_SPEC,
    share: [...t.share],
    rootChange: t.rootChange,
    caps: t.caps,
    seccomp: t.seccomp ?? 'default',
    noNewPrivs: t.noNewPrivs ?? true,
    leakHostFd: false,
    cgroupfs: 'ro',
    limits: t.limits === 'none' ? {} : DEFAULT_SPEC.limits,
    argv,
  };
}

/** Who asks for each common setting when the config leaves it at isoprobe's default. */
export type DefaultSources = Record<'share' | 'root' | 'caps' | 'limits' | 'seccomp' | 'no-new-privs', SettingSource>;

/**
 * The common settings, in the order reports have always shown them. A value other than the
 * default can only come from the user's config; a default one is asked for by whoever `sources`
 * names (isoprobe, or the runtime left to its own default). A user who wrote the default value
 * explicitly is shown as the default's source: the parsed config no longer tells them apart.
 */
export function describeBase(t: TargetConfigBase, sources: DefaultSources): Setting[] {
  const row = (setting: keyof DefaultSources, value: string, isDefault: boolean): Setting => ({
    setting,
    value,
    source: isDefault ? sources[setting] : 'user config',
  });
  return [
    row('share', t.share.join(',') || 'none', t.share.length === 0),
    row('root', t.rootChange, t.rootChange === 'pivot_root'),
    row('caps', t.caps, t.caps === 'default'),
    row('limits', t.limits, t.limits === 'default'),
    row('seccomp', t.seccomp ?? 'default', (t.seccomp ?? 'default') === 'default'),
    row('no-new-privs', String(t.noNewPrivs ?? true), t.noNewPrivs ?? true),
    // Only the cross area's sibling pair: the second joins the first's namespaces.
    ...(t.joinSibling ? [{ setting: 'join-sibling', value: t.joinSibling.join(','), source: 'user config' as const }] : []),
  ];
}

/** Parsing of targets for a list of drivers: the file schema is the union of their schemas, keyed by `runtime`. */
export function targetConfigs<D extends readonly TargetDriver[]>(drivers: D) {
  type C = ConfigOf<D[number]>;
  // Each driver's schema is a strict object with `runtime: z.literal(kind)` (targetSchema), as a discriminated union needs.
  const target = z.discriminatedUnion('runtime', drivers.map((d) => d.config) as never) as unknown as z.ZodType<C>;
  const file = z.strictObject({ targets: z.array(target).min(1) });
  const shorthands = new Map<string, unknown>(drivers.flatMap((d) => Object.entries(d.shorthands)));
  const known = [...shorthands.keys()];

  function parse(raw: unknown, source: string): C[] {
    const parsed = file.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new ConfigError(`invalid target config ${source}: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
    }
    const names = parsed.data.targets.map((t) => t.name);
    const dup = names.find((n, i) => names.indexOf(n) !== i);
    if (dup) throw new ConfigError(`invalid target config ${source}: target name "${dup}" is used twice`);
    return parsed.data.targets;
  }

  return {
    /** What `--runtime` accepts: each name is a target with that kind's defaults. */
    knownShorthands: known,
    parseTargetConfig: parse,
    targetsFromRuntimes(runtimes: string[]): C[] {
      return runtimes.map((r) => {
        const raw = shorthands.get(r);
        if (!raw) throw new ConfigError(`unknown runtime "${r}" (known: ${known.join(', ')}; others through --config)`);
        return target.parse(raw);
      });
    },
    targetsFromFile(path: string): C[] {
      return parse(readConfigFile(path), path);
    },
  };
}

/** A config file's JSON: bounded in size and depth, a duplicate key or an inexact integer refused. */
function readConfigFile(path: string): unknown {
  let text: string;
  try {
    text = readBounded(path, CONFIG_LIMITS.maxBytes);
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code === 'EFBIG' ? `larger than ${CONFIG_LIMITS.maxBytes / 2 ** 20} MiB` : (e as Error).message;
    throw new ConfigError(`cannot read target config ${path}: ${why}`);
  }
  try {
    return parseJsonStrictly(text, CONFIG_LIMITS);
  } catch (e) {
    if (!(e instanceof JsonInputError)) throw e;
    throw new ConfigError(`${e.syntax ? 'cannot read' : 'invalid'} target config ${path}: ${e.message}`);
  }
}

/**
 * The request a spec makes of a runtime that is sent every setting of it (the built-in runtime,
 * an OCI bundle isoprobe writes): isoprobe's own values, or the user's where the config changed
 * them. A driver that sends less (an engine left at its defaults) builds its own.
 */
export function requestFromSpec(t: TargetConfigBase, spec: ContainerSpec): Request {
  const from = (userSet: boolean): RequestSource => (userSet ? 'user config' : 'isoprobe');
  const r: Request = {};
  for (const ns of NAMESPACES) r[`ns.${ns}`] = { value: spec.share.includes(ns) ? 'host' : 'new', source: from(t.share.includes(ns)) };
  r.caps = { value: spec.caps === 'all' ? { add: ['ALL'], drop: [] } : { add: [], drop: [] }, source: from(t.caps !== 'default') };
  r.seccomp = { value: spec.seccomp === 'none' ? 'unconfined' : 'default', source: from(t.seccomp !== undefined && t.seccomp !== 'default') };
  r.noNewPrivs = { value: spec.noNewPrivs ?? true, source: from(t.noNewPrivs === false) };
  const limitsSource = from(t.limits !== 'default');
  r['limits.pids'] = { value: spec.limits.pids ?? 0, source: limitsSource };
  r['limits.memory'] = { value: spec.limits.memoryBytes ?? 0, source: limitsSource };
  r['limits.cpu'] = { value: spec.limits.cpus ?? 0, source: limitsSource };
  if (!spec.share.includes('uts')) r.hostname = { value: spec.hostname, source: 'isoprobe' };
  if (!spec.share.includes('time')) r.timeOffsets = { value: { ...spec.timeOffsets }, source: 'isoprobe' };
  return r;
}

/**
 * What "all capabilities" can mean for a runtime started by the harness in its own user
 * namespace: those in the harness's bounding set (never CAP_SYS_RESOURCE on the project's VM).
 */
export function harnessBoundingCaps(): string[] {
  return capNames(parseStatus(fs.readFileSync('/proc/self/status', 'utf8')).capBnd);
}
