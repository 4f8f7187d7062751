/**
 * String helpers shared by the reporters. Evidence comes from inside containers under test, so it
 * is untrusted: control characters could break XML 1.0 or drive a terminal (ANSI escapes).
 */

// C0 controls other than \t \n \r, DEL and C1, lone surrogates, and the non-characters FFFE/FFFF.
const UNSAFE = /[\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * Replaces unsafe characters with a visible escape (`\x1b`, `\ud800`) rather than dropping them:
 * a stray ESC in a probe's output is itself evidence worth seeing.
 */
export function visible(s: string): string {
  return s.replace(UNSAFE, (c) => {
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/** Like `visible`, and also neutralises carriage returns, which can overwrite a terminal line. */
export function terminalSafe(s: string): string {
  return visible(s.replace(/\r\n/g, '\n')).replace(/\r/g, '\\r');
}

/** Milliseconds to a seconds string with at most 3 decimals, never negative or exponential. */
export function seconds(ms: number): number {
  const s = Number.isFinite(ms) && ms > 0 ? ms / 1000 : 0;
  return Number(s.toFixed(3));
}

/** First line of a possibly long text, shortened for one-line displays. */
export function oneLine(s: string, max = 160): string {
  const line = s.split('\n', 1)[0] ?? '';
  const more = line.length < s.length || line.length > max;
  return more ? `${line.slice(0, max).trimEnd()}…` : line;
}
