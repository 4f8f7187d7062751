// The lossy runtime's edit (README.md here): config.json with the setting its "isoprobe.drop"
// annotation names removed, written back in place. A setting it does not know is an error, so a
// typo in a weakening fails the container instead of passing for a control.
import fs from 'node:fs';

const file = process.argv[2];
const config = JSON.parse(fs.readFileSync(file, 'utf8'));
const key = config.annotations?.['isoprobe.drop'];
const OCI_NS = { pid: 'pid', mnt: 'mount', net: 'network', uts: 'uts', ipc: 'ipc', user: 'user', time: 'time', cgroup: 'cgroup' };
const linux = config.linux ?? {};
const proc = config.process ?? {};

/** By request key (model/request.ts): what removing that setting from config.json means. */
const DROPS = {
  caps: () => {
    // One capability of the default set, out of every set that lists it.
    for (const set of Object.values(proc.capabilities ?? {})) if (Array.isArray(set)) set.splice(0, set.length, ...set.filter((c) => c !== 'CAP_NET_RAW'));
  },
  seccomp: () => delete linux.seccomp,
  noNewPrivs: () => delete proc.noNewPrivileges,
  'limits.pids': () => delete linux.resources?.pids,
  'limits.memory': () => delete linux.resources?.memory,
  'limits.cpu': () => delete linux.resources?.cpu,
  readonlyRootfs: () => delete config.root?.readonly,
  user: () => delete proc.user?.additionalGids,
  hostname: () => delete config.hostname,
  timeOffsets: () => delete linux.timeOffsets,
  maskedPaths: () => delete linux.maskedPaths,
  readonlyPaths: () => delete linux.readonlyPaths,
  sysctls: () => delete linux.sysctl,
  rlimits: () => delete proc.rlimits,
};
for (const [ns, type] of Object.entries(OCI_NS)) DROPS[`ns.${ns}`] = () => (linux.namespaces = (linux.namespaces ?? []).filter((n) => n.type !== type));

if (key === undefined) process.exit(0);
if (!Object.hasOwn(DROPS, key)) {
  process.stderr.write(`lossy-runc: unknown setting to drop: ${JSON.stringify(key)} (known: ${Object.keys(DROPS).join(', ')})\n`);
  process.exit(2);
}
DROPS[key]();
fs.writeFileSync(file, `${JSON.stringify(config, null, 2)}\n`);
