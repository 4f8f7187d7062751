/**
 * Shared by the kernel-text parsers: a malformed line is an error naming the file and the line,
 * never a silently shorter list (a missing mount or map entry would flip a verdict).
 */
export class ParseError extends Error {
  readonly code = 'EPARSE';
}

/** Non-empty lines with their 1-based numbers. */
export function lines(text: string): { n: number; line: string }[] {
  return text
    .split('\n')
    .map((line, i) => ({ n: i + 1, line }))
    .filter((l) => l.line.trim() !== '');
}

export function malformed(file: string, n: number, line: string, why: string): ParseError {
  return new ParseError(`${file} line ${n}: ${why}: ${JSON.stringify(line.length > 120 ? `${line.slice(0, 120)}…` : line)}`);
}

/** A non-negative decimal integer, or NaN. */
export function toInt(s: string | undefined): number {
  return s !== undefined && /^\d+$/.test(s) ? Number(s) : NaN;
}
