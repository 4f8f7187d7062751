/**
 * The names a fleet run gives and accepts, as the Kubernetes API validates them
 * (k8s.io/apimachinery pkg/util/validation): a node or RuntimeClass name is a DNS-1123 subdomain,
 * a RuntimeClass handler a DNS-1123 label. Checked before anything is written, so a typo is one
 * line at the command, not an object the API server refuses halfway through a fleet.
 */
import { ConfigError } from '../model/errors.js';

const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const SUBDOMAIN_MAX = 253;
const LABEL_MAX = 63;

export function isDnsLabel(s: string): boolean {
  return s.length <= LABEL_MAX && LABEL.test(s);
}

export function isDnsSubdomain(s: string): boolean {
  return s.length > 0 && s.length <= SUBDOMAIN_MAX && s.split('.').every((part) => part.length > 0 && LABEL.test(part));
}

/** A RuntimeClass named by the user: the cluster's object (isoprobe never creates one) and the CRI handler it maps to. */
export interface RuntimeClassRef {
  name: string;
  handler: string;
  /** Whether the handler was given (NAME=HANDLER) or taken to be the name, as most clusters name them. */
  handlerGiven: boolean;
}

/**
 * A target is named `runtimeclass-<name>` and target names are at most 63 characters
 * (targets/common/config.ts), so the name isoprobe can carry is shorter than the API's 253.
 */
export const RUNTIME_CLASS_NAME_MAX = 63 - 'runtimeclass-'.length;

/** `runsc` or `gvisor=runsc` (a RuntimeClass gvisor whose handler is runsc, as on GKE). */
export function runtimeClassRef(spec: string): RuntimeClassRef {
  const [name = '', handler, ...rest] = spec.split('=');
  if (rest.length > 0) throw new ConfigError(`RuntimeClass "${spec}": at most one "=" (NAME or NAME=HANDLER)`);
  if (!isDnsSubdomain(name)) {
    throw new ConfigError(
      `RuntimeClass name "${name}" is not a DNS-1123 subdomain (lower-case letters, digits, "-" and ".", starting and ending alphanumeric)`,
    );
  }
  if (name.length > RUNTIME_CLASS_NAME_MAX) {
    throw new ConfigError(`RuntimeClass name "${name}" is longer than ${RUNTIME_CLASS_NAME_MAX} characters (isoprobe names a target runtimeclass-<name>)`);
  }
  if (handler !== undefined && !isDnsLabel(handler)) {
    throw new ConfigError(`RuntimeClass handler "${handler}" is not a DNS-1123 label (lower-case letters, digits and "-", at most 63)`);
  }
  if (handler === undefined && !isDnsLabel(name)) {
    throw new ConfigError(`RuntimeClass "${name}": a handler is a DNS-1123 label, which this name is not: give it as ${name}=HANDLER`);
  }
  return { name, handler: handler ?? name, handlerGiven: handler !== undefined };
}

export function nodeName(name: string): string {
  if (!isDnsSubdomain(name)) throw new ConfigError(`node name "${name}" is not a DNS-1123 subdomain (as Kubernetes names nodes)`);
  return name;
}

/** The run's nonce: 8 lower-case hex characters, in every object's name and label. */
export function isNonce(s: string): boolean {
  return /^[0-9a-f]{8}$/.test(s);
}
