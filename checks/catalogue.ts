/** The check catalogue: every area's checks, in report order. Ids are unique and stable. */
import type { Check } from '../model/check.js';
import { agentChecks } from './agent.js';
import { cgroupChecks } from './cgroup.js';
import { conformanceChecks } from './conformance.js';
import { crossChecks } from './cross.js';
import { escapeChecks } from './escapes.js';
import { insideChecks } from './inside.js';
import { ipcChecks } from './ipc.js';
import { limitChecks } from './limits.js';
import { mountChecks } from './mount.js';
import { netChecks } from './net.js';
import { pidChecks } from './pid.js';
import { sandboxChecks } from './sandbox.js';
import { securityChecks } from './security.js';
import { timeChecks } from './time.js';
import { userChecks } from './user.js';
import { utsChecks } from './uts.js';

export const CATALOGUE: readonly Check[] = [
  ...pidChecks,
  ...mountChecks,
  ...netChecks,
  ...utsChecks,
  ...ipcChecks,
  ...userChecks,
  ...timeChecks,
  ...cgroupChecks,
  ...limitChecks,
  ...securityChecks,
  ...sandboxChecks,
  ...escapeChecks,
  ...conformanceChecks,
  ...crossChecks,
  ...agentChecks,
  ...insideChecks,
];
