/**
 * The seccomp filters the host read from a held container (model/spec.ts HostSideFacts.seccomp),
 * as the checks that judge the effective profile take them: not observed is a skip, a failed read
 * an error with its reason (never "no filter"), a filter the kernel's checker would refuse a
 * broken read.
 */
import type { HostSideFacts } from '../model/spec.js';
import { skip } from '../model/check.js';
import { errnoName } from './define.js';
import { validateStack } from '../model/seccomp/evaluate.js';
import type { Stack } from '../model/seccomp/profile.js';

export function seccompStack(observed: HostSideFacts): Stack {
  const read = observed.seccomp;
  if (!read) skip('evidence', 'the host did not read this container\u2019s seccomp filters');
  if ('unreadable' in read) throw new Error(`the host could not read the seccomp filters: ${read.unreadable}`);
  if ('error' in read) {
    const e = read.error;
    throw new Error(`reading seccomp filter ${e.index} of pid ${read.pid} failed at ${e.step}: ${errnoName(e.errno)}`);
  }
  validateStack(read.filters);
  return read.filters;
}
