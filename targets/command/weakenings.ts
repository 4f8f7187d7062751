/**
 * The command target's negative controls, as data: a command target's settings are its argv, so
 * each control is a different argv, the default unshare line (./driver.ts UNSHARE_ARGV) without
 * one namespace's option. Each is the built-in runtime's `share=<ns>` weakening in a wrapper's
 * terms: it must flip the checks that name that one (test/integration/command.test.ts).
 */
import type { Namespace } from '../../model/spec.js';
import type { Weakening } from '../../model/weakening.js';

/** `unshare(1)` as one command is run isolated: each namespace it can make, its own /proc, and the command killed with it. */
export const UNSHARE_ARGV = ['unshare', '--mount', '--uts', '--ipc', '--net', '--pid', '--fork', '--mount-proc', '--kill-child', '--', '{probe}', '{args}'];

/** The namespaces a control leaves out of UNSHARE_ARGV, and the option that makes each. */
export const UNSHARE_CONTROLS = [
  { ns: 'net', option: '--net' },
  { ns: 'uts', option: '--uts' },
  { ns: 'ipc', option: '--ipc' },
] as const satisfies readonly { ns: Namespace; option: string }[];

export const COMMAND_WEAKENINGS: readonly Weakening[] = UNSHARE_CONTROLS.map(({ ns, option }) => ({
  kind: 'command',
  settings: { argv: UNSHARE_ARGV.filter((a) => a !== option) },
  note: `shares ${ns}`,
}));
