/**
 * Colour on a terminal only: never when the stream is not a TTY, when NO_COLOR is set to anything
 * (no-color.org), when TERM is dumb, or with --no-color. Applied after terminalSafe, so evidence
 * can never carry an escape of its own into the terminal; only these fixed codes are written.
 */
export type Style = 'pass' | 'fail' | 'error' | 'skip';
export type Paint = (text: string, style: Style) => string;

const CODES: Record<Style, string> = { pass: '32', fail: '1;31', error: '1;33', skip: '2' };

export const plain: Paint = (text) => text;
export const ansi: Paint = (text, style) => `\x1b[${CODES[style]}m${text}\x1b[0m`;

export function colourWanted(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv, noColorFlag: boolean): boolean {
  if (noColorFlag || !stream.isTTY) return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  return env.TERM !== 'dumb';
}

/** The summary's status words painted: the verdict line, FAIL and ERROR heads. */
export function paintSummaryLine(line: string, paint: Paint): string {
  if (line.startsWith('Verdict: PASS')) return paint(line, 'pass');
  if (line.startsWith('Verdict: FAIL')) return paint(line, 'fail');
  if (line.startsWith('  FAIL ')) return `  ${paint('FAIL', 'fail')}${line.slice(6)}`;
  if (line.startsWith('  ERROR')) return `  ${paint('ERROR', 'error')}${line.slice(7)}`;
  return line;
}
