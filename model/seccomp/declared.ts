/**
 * A declared seccomp profile, the JSON form runtimes read (the OCI runtime spec's `linux.seccomp`;
 * Docker's and Podman's profile files, which add `archMap` and per-rule `includes`/`excludes`),
 * evaluated for one call the way libseccomp compiles it: a rule whose argument conditions all hold
 * decides, else the call's rule without conditions, else `defaultAction`; an ABI the profile does
 * not list is refused (libseccomp's bad-architecture action). Only how far a call gets is compared
 * with the effective profile (profile.ts `atLeastAsStrict`), so the refusing actions need not match.
 */
import { z } from 'zod';
import { retOf, verdictOf, type Verdict } from './action.js';
import type { Abi } from './syscalls.js';

const ArgSchema = z.object({
  index: z.number().int().min(0).max(5),
  value: z.number().nonnegative(),
  valueTwo: z.number().nonnegative().optional(),
  op: z.enum(['SCMP_CMP_NE', 'SCMP_CMP_LT', 'SCMP_CMP_LE', 'SCMP_CMP_EQ', 'SCMP_CMP_GE', 'SCMP_CMP_GT', 'SCMP_CMP_MASKED_EQ']),
});
const FilterSchema = z.object({ caps: z.array(z.string()).optional(), arches: z.array(z.string()).optional(), minKernel: z.string().optional() });
const RuleSchema = z.object({
  names: z.array(z.string()).optional(),
  name: z.string().optional(),
  action: z.string(),
  errnoRet: z.number().int().optional(),
  args: z.array(ArgSchema).nullish(),
  includes: FilterSchema.optional(),
  excludes: FilterSchema.optional(),
});
export const DeclaredProfileSchema = z.object({
  defaultAction: z.string(),
  defaultErrnoRet: z.number().int().optional(),
  architectures: z.array(z.string()).nullish(),
  archMap: z.array(z.object({ architecture: z.string(), subArchitectures: z.array(z.string()).nullish() })).nullish(),
  syscalls: z.array(RuleSchema).nullish(),
});
export type DeclaredProfile = z.infer<typeof DeclaredProfileSchema>;
type Rule = z.infer<typeof RuleSchema>;

/** What Docker resolves `includes`/`excludes` against when it turns its profile into a container's. */
export interface ResolveContext {
  /** The container's capabilities (CAP_ names). */
  caps: ReadonlySet<string>;
  /** Go's name of the host architecture: amd64. */
  arch: string;
  /** uname -r of the host. */
  kernel: string;
}

const SCMP_ARCH: Record<Abi, string> = { x86_64: 'SCMP_ARCH_X86_64', i386: 'SCMP_ARCH_X86', x32: 'SCMP_ARCH_X32' };

function kernelAtLeast(release: string, min: string): boolean {
  const [a, b] = [release, min].map((v) => v.split(/[.-]/).slice(0, 2).map(Number));
  return a![0]! > b![0]! || (a![0] === b![0] && (a![1] ?? 0) >= (b![1] ?? 0));
}

function applies(rule: Rule, ctx: ResolveContext): boolean {
  const inc = rule.includes ?? {};
  const exc = rule.excludes ?? {};
  if (inc.caps?.some((c) => !ctx.caps.has(c))) return false;
  if (inc.arches?.length && !inc.arches.includes(ctx.arch)) return false;
  if (inc.minKernel && !kernelAtLeast(ctx.kernel, inc.minKernel)) return false;
  if (exc.caps?.some((c) => ctx.caps.has(c))) return false;
  if (exc.arches?.includes(ctx.arch)) return false;
  return true;
}

function verdictOfAction(action: string, errnoRet: number | undefined): Verdict {
  const EPERM = 1;
  switch (action) {
    case 'SCMP_ACT_ALLOW':
      return { action: 'allow', data: 0 };
    case 'SCMP_ACT_LOG':
      return { action: 'log', data: 0 };
    case 'SCMP_ACT_ERRNO':
      return { action: 'errno', data: errnoRet ?? EPERM };
    case 'SCMP_ACT_TRAP':
      return { action: 'trap', data: 0 };
    case 'SCMP_ACT_TRACE':
      return { action: 'trace', data: errnoRet ?? 0 };
    case 'SCMP_ACT_NOTIFY':
      return { action: 'user_notif', data: 0 };
    case 'SCMP_ACT_KILL_THREAD':
    case 'SCMP_ACT_KILL':
      return { action: 'kill_thread', data: 0 };
    case 'SCMP_ACT_KILL_PROCESS':
      return { action: 'kill_process', data: 0 };
    default:
      // An action this reader does not know: as the kernel treats an unknown return value.
      return verdictOf(retOf('kill_process'));
  }
}

function argHolds(a: z.infer<typeof ArgSchema>, args: readonly bigint[]): boolean {
  const v = args[a.index] ?? 0n;
  const x = BigInt(a.value);
  switch (a.op) {
    case 'SCMP_CMP_NE':
      return v !== x;
    case 'SCMP_CMP_LT':
      return v < x;
    case 'SCMP_CMP_LE':
      return v <= x;
    case 'SCMP_CMP_EQ':
      return v === x;
    case 'SCMP_CMP_GE':
      return v >= x;
    case 'SCMP_CMP_GT':
      return v > x;
    case 'SCMP_CMP_MASKED_EQ':
      // runc and crun pass value as the mask and valueTwo as what the masked argument must equal.
      return (v & x) === BigInt(a.valueTwo ?? 0);
  }
}

/** The ABIs a declared profile filters: its `architectures`, or the `archMap` entry of the native one with its sub-architectures. */
export function declaredAbis(p: DeclaredProfile): Set<Abi> {
  const names = new Set<string>(p.architectures ?? []);
  for (const m of p.archMap ?? []) {
    if (m.architecture !== SCMP_ARCH.x86_64) continue;
    names.add(m.architecture);
    for (const s of m.subArchitectures ?? []) names.add(s);
  }
  // libseccomp always filters the native architecture.
  names.add(SCMP_ARCH.x86_64);
  return new Set((Object.keys(SCMP_ARCH) as Abi[]).filter((abi) => names.has(SCMP_ARCH[abi])));
}

/** Each name's rules, in the profile's order: built once per profile (a comparison asks for every call). */
const RULES = new WeakMap<DeclaredProfile, Map<string, Rule[]>>();
function rulesOf(p: DeclaredProfile, name: string): Rule[] {
  let byName = RULES.get(p);
  if (!byName) {
    byName = new Map();
    for (const r of p.syscalls ?? []) for (const n of r.names ?? (r.name ? [r.name] : [])) byName.set(n, [...(byName.get(n) ?? []), r]);
    RULES.set(p, byName);
  }
  return byName.get(name) ?? [];
}

/** The declared verdict for one call of an ABI with these arguments. */
export function declaredVerdict(p: DeclaredProfile, ctx: ResolveContext, abi: Abi, name: string, args: readonly bigint[] = []): Verdict {
  if (!declaredAbis(p).has(abi)) return { action: 'kill_thread', data: 0 };
  const rules = rulesOf(p, name).filter((r) => applies(r, ctx));
  const conditional = rules.find((r) => r.args?.length && r.args.every((a) => argHolds(a, args)));
  const plain = rules.find((r) => !r.args?.length);
  const rule = conditional ?? plain;
  return rule ? verdictOfAction(rule.action, rule.errnoRet) : verdictOfAction(p.defaultAction, p.defaultErrnoRet);
}

export function parseDeclaredProfile(json: unknown, source: string): DeclaredProfile {
  const r = DeclaredProfileSchema.safeParse(json);
  if (!r.success) throw new Error(`${source}: not a seccomp profile: ${r.error.issues[0]?.path.join('.')}: ${r.error.issues[0]?.message}`);
  return r.data;
}
