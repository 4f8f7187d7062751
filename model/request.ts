/**
 * What a target's runtime was asked for, setting by setting, and who asked: isoprobe (its own
 * request, e.g. `"request": "profile"` or the built-in runtime's design) or the user's target
 * config. A setting absent from a Request was not asked for at all: the runtime's default applies.
 * Conformance checks (checks/conformance.ts) compare each requested setting with what the
 * container got; every check names the settings its verdict depends on (Check.settings), and the
 * results carry each one's source (provenance), so a reader can tell "passes because it was asked"
 * from "passes by default".
 */
import { z } from 'zod';
import { NAMESPACES } from './spec.js';

/** Who asked for a setting that was asked for at all; "runtime default" is the absence of a request. */
export const REQUEST_SOURCES = ['isoprobe', 'user config'] as const;
export const requestSourceSchema = z.enum(REQUEST_SOURCES);
export type RequestSource = z.infer<typeof requestSourceSchema>;

/** A setting's provenance in results: who asked, or nobody (the runtime's default). */
export const PROVENANCES = [...REQUEST_SOURCES, 'runtime default'] as const;
export const provenanceSchema = z.enum(PROVENANCES);
export type Provenance = z.infer<typeof provenanceSchema>;

/** new: its own; host: the host's; joined:<what>: another existing one (a sibling container's, "container:<name>"). */
const nsRequest = z.union([z.enum(['new', 'host']), z.templateLiteral(['joined:', z.string()])]);
/** Capability names with the CAP_ prefix, or "ALL" (every capability the kernel has). */
const capName = z.union([z.literal('ALL'), z.string().regex(/^CAP_[A-Z_]+$/)]);
const id = z.number().int().nonnegative();

/**
 * The value asked for, per setting key. Keys are flat and stable: checks name them
 * (Check.settings) and reports show them.
 */
export const RequestValuesSchema = z.object({
  ...(Object.fromEntries(NAMESPACES.map((ns) => [`ns.${ns}`, nsRequest])) as Record<`ns.${(typeof NAMESPACES)[number]}`, typeof nsRequest>),
  /** Relative to the runtime's default set (model/spec.ts DEFAULT_CAPS, Docker's, which every runtime here starts from). */
  caps: z.object({ add: z.array(capName), drop: z.array(capName) }),
  /** default: the runtime's default filter; unconfined: none; custom: a profile of the user's. */
  seccomp: z.enum(['default', 'unconfined', 'custom']),
  noNewPrivs: z.boolean(),
  /** 0: explicitly unlimited. */
  'limits.pids': z.number().int().nonnegative(),
  'limits.memory': z.number().int().nonnegative(),
  /** Fraction of one CPU; 0: explicitly unlimited. */
  'limits.cpu': z.number().nonnegative(),
  readonlyRootfs: z.boolean(),
  /** Supplementary groups when asked (absent: not asked). */
  user: z.object({ uid: id, gid: id, groups: z.array(id).optional() }),
  hostname: z.string(),
  timeOffsets: z.object({ monotonicSec: z.number().int(), boottimeSec: z.number().int() }),
  maskedPaths: z.array(z.string()),
  readonlyPaths: z.array(z.string()),
  /** By sysctl name with dots ("net.ipv4.ip_unprivileged_port_start"). */
  sysctls: z.record(z.string(), z.string()),
  /** By resource, lower-case without RLIMIT_ ("nofile"). */
  rlimits: z.record(z.string(), z.object({ soft: z.number().int().nonnegative(), hard: z.number().int().nonnegative() })),
});
export type RequestValues = z.infer<typeof RequestValuesSchema>;
export type SettingKey = keyof RequestValues;
export const SETTING_KEYS = Object.keys(RequestValuesSchema.shape) as SettingKey[];

/** One requested setting: its value and who asked. */
export type Requested<K extends SettingKey> = { value: RequestValues[K]; source: RequestSource };

/** Every setting a target's runtime was asked for; what is absent is left to the runtime. */
export type Request = { [K in SettingKey]?: Requested<K> };

export const RequestSchema = z.object(
  Object.fromEntries(SETTING_KEYS.map((k) => [k, z.object({ value: RequestValuesSchema.shape[k], source: requestSourceSchema }).optional()])) as {
    [K in SettingKey]: z.ZodOptional<z.ZodObject<{ value: (typeof RequestValuesSchema.shape)[K]; source: typeof requestSourceSchema }>>;
  },
);

/** Who asked for a setting: its request's source, else the runtime's default. */
export function provenanceOf(request: Request, key: SettingKey): Provenance {
  return request[key]?.source ?? 'runtime default';
}

/** Who asked for each of `keys` (a check's settings), as a result carries it. */
export function provenanceFor(request: Request, keys: readonly SettingKey[]): Partial<Record<SettingKey, Provenance>> {
  return Object.fromEntries(keys.map((k) => [k, provenanceOf(request, k)]));
}
