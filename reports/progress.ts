/**
 * Live progress while checks run: one line per check under its target and area, on stderr so
 * that stdout carries only the summary a CI log keeps.
 */
import Mocha from 'mocha';
import { ansi, colourWanted, type Paint, plain } from './colour.js';

const { EVENT_SUITE_BEGIN, EVENT_TEST_PASS, EVENT_TEST_FAIL, EVENT_TEST_PENDING } = Mocha.Runner.constants;

export class ProgressReporter extends Mocha.reporters.Base {
  constructor(runner: Mocha.Runner, options?: Mocha.MochaOptions) {
    super(runner, options);
    const out = (s: string) => process.stderr.write(`${s}\n`);
    const paint: Paint = colourWanted(process.stderr, process.env, process.argv.includes('--no-color')) ? ansi : plain;
    runner.on(EVENT_SUITE_BEGIN, (suite: Mocha.Suite) => {
      if (suite.root) return;
      const depth = suite.titlePath().length;
      out(depth === 1 ? `\n${suite.title}` : `  ${suite.title}`);
    });
    runner.on(EVENT_TEST_PASS, (t: Mocha.Test) => out(`    ${paint('pass', 'pass')}  ${t.title}`));
    runner.on(EVENT_TEST_FAIL, (t: Mocha.Test, err: Error) => out(`    ${paint('FAIL', 'fail')}  ${t.title}\n          ${err.message.split('\n')[0]}`));
    runner.on(EVENT_TEST_PENDING, (t: Mocha.Test) => out(`    ${paint('skip', 'skip')}  ${t.title}`));
  }
}
