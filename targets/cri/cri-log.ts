/**
 * The CRI container log format (what kubelet's `kubectl logs` reads, written by the runtime to
 * the pod's log directory): one line per chunk, `<RFC 3339 nano time> <stdout|stderr> <P|F> <text>`,
 * P a partial line continued by the next chunk, F the chunk that ends a line. The probe's output
 * reaches isoprobe this way (no CRI attach or streaming server is used).
 */
export interface Streams {
  stdout: string;
  stderr: string;
  /** Lines that are not in the format (counted, so a truncated or foreign file is not silent). */
  malformed: number;
}

const LINE = /^(\S+) (stdout|stderr) (P|F) ?(.*)$/;

export function parseCriLog(text: string): Streams {
  const out: Streams = { stdout: '', stderr: '', malformed: 0 };
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const m = LINE.exec(line);
    if (!m) {
      out.malformed++;
      continue;
    }
    const stream = m[2] as 'stdout' | 'stderr';
    out[stream] += m[3] === 'F' ? `${m[4]}\n` : m[4];
  }
  return out;
}
