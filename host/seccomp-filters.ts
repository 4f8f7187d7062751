/**
 * The seccomp filters of a live process, read from the host (issue 14): the project's static
 * probe run on the host as `probe seccomp-filters --pid N` (probes/seccomp-filters.c), which
 * attaches with PTRACE_SEIZE, reads each filter and detaches; it needs CAP_SYS_ADMIN in the initial
 * user namespace, which the harness (root) holds. Bounded twice: the probe's own alarm, and the
 * spawn's timeout here. A read that failed says its step and errno, never "no filter".
 */
import { spawnSync } from 'node:child_process';
import { parseSeccompFilters, type SeccompFilterRead } from '../model/parse/seccomp-filters.js';
import { PROBE_BINARY } from './paths.js';

const TIMEOUT_MS = 5000;
/** 64 filters of 4096 instructions, as JSON: far above any real stack. */
const MAX_OUTPUT = 64 * 1024 * 1024;

export function readSeccompFilters(pid: number, probe = PROBE_BINARY): SeccompFilterRead {
  const r = spawnSync(probe, ['seccomp-filters', '--pid', String(pid)], { encoding: 'utf8', timeout: TIMEOUT_MS, maxBuffer: MAX_OUTPUT });
  if (r.error) throw new Error(`probe seccomp-filters --pid ${pid}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`probe seccomp-filters --pid ${pid} exited ${r.status ?? r.signal}: ${r.stderr.trim()}`);
  return parseSeccompFilters(r.stdout);
}
