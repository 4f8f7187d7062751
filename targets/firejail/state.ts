/**
 * firejail's own run state: for each sandbox, files named by the pid of its firejail (parent)
 * process in the directories of /run/firejail — `sandbox/<pid>` (holding the sandbox's PID 1 as
 * the host sees it), `profile/<pid>` (the profile it read), and `name/`, `x11/`, `bandwidth/`
 * (`<pid>-bandwidth`), `network/` (`<pid>-netmap`) where those options were used. firejail removes
 * them when it exits; a SIGKILLed firejail leaves them until the next firejail start or `firejail
 * --list` sweeps entries of pids that no longer exist (measured with firejail 0.9.72). `firejail
 * --list` shows each live sandbox as "<pid>:<user>:<name>:<command line>".
 */
import path from 'node:path';
import { listDir } from '../../host/files.js';

export const FIREJAIL_RUN = '/run/firejail';
/** The directories whose entries are named by a sandbox's firejail pid. */
export const STATE_DIRS = ['sandbox', 'profile', 'name', 'x11', 'bandwidth', 'network'] as const;

/** The state files of the sandbox whose firejail had `pid`: "<pid>" or "<pid>-<what>". */
export function stateFilesOf(pid: number, root = FIREJAIL_RUN): string[] {
  const mine = new RegExp(`^${pid}(-[a-z]+)?$`);
  return STATE_DIRS.flatMap((d) =>
    listDir(path.join(root, d))
      .filter((n) => mine.test(n))
      .map((n) => path.join(root, d, n)),
  );
}

export interface ListedSandbox {
  pid: number;
  user: string;
  name: string;
  command: string;
}

/** `firejail --list` output: one "<pid>:<user>:<name>:<command line>" line per sandbox; other lines are left out. */
export function parseList(text: string): ListedSandbox[] {
  return text.split('\n').flatMap((line) => {
    const m = /^(\d+):([^:]*):([^:]*):(.*)$/.exec(line.trim());
    return m ? [{ pid: Number(m[1]), user: m[2], name: m[3], command: m[4].trim() }] : [];
  });
}
