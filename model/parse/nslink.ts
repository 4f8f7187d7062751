/** Namespace links as readlink(2) shows them: "pid:[4026531836]". */
import { ParseError } from './lines.js';

export interface NsLink {
  type: string;
  ino: number;
}

export function parseNsLink(link: string): NsLink {
  const m = /^([a-z_]+):\[(\d+)\]$/.exec(link.trim());
  if (!m) throw new ParseError(`not a namespace link: ${JSON.stringify(link)}`);
  return { type: m[1]!, ino: Number(m[2]) };
}

/** The inode of a link, or null when there is no link (the namespace was not observable). */
export function nsIno(link: string | null | undefined): number | null {
  return link ? parseNsLink(link).ino : null;
}
