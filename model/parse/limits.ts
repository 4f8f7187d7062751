/**
 * /proc/<pid>/limits (proc(5)): a header, then "Max open files   1024   4096   files" per
 * resource. Keyed by the RLIMIT_ name in lower case without its prefix ("nofile"), as
 * model/request.ts names rlimits; "unlimited" is RLIM_INFINITY.
 */
import { lines, malformed } from './lines.js';

export type RlimitValue = number | 'unlimited';

/** The text proc(5) prints for each resource (fs/proc/base.c lnames). */
const RESOURCES: Record<string, string> = {
  'Max cpu time': 'cpu',
  'Max file size': 'fsize',
  'Max data size': 'data',
  'Max stack size': 'stack',
  'Max core file size': 'core',
  'Max resident set': 'rss',
  'Max processes': 'nproc',
  'Max open files': 'nofile',
  'Max locked memory': 'memlock',
  'Max address space': 'as',
  'Max file locks': 'locks',
  'Max pending signals': 'sigpending',
  'Max msgqueue size': 'msgqueue',
  'Max nice priority': 'nice',
  'Max realtime priority': 'rtprio',
  'Max realtime timeout': 'rttime',
};

export function parseLimits(text: string): Record<string, { soft: RlimitValue; hard: RlimitValue }> {
  const out: Record<string, { soft: RlimitValue; hard: RlimitValue }> = {};
  for (const { n, line } of lines(text)) {
    if (line.startsWith('Limit ')) continue;
    const m = /^(Max [a-z ]+?)\s{2,}(\d+|unlimited)\s+(\d+|unlimited)(\s|$)/.exec(line);
    const name = m ? RESOURCES[m[1]!] : undefined;
    if (!m || !name) throw malformed('limits', n, line, 'expected "Max <resource>  <soft>  <hard>  [units]"');
    const value = (v: string): RlimitValue => (v === 'unlimited' ? 'unlimited' : Number(v));
    out[name] = { soft: value(m[2]!), hard: value(m[3]!) };
  }
  return out;
}
