import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// Reporters are pure formatting of RunResults (STYLE: reports/ never import runtime/ or adapters).
const DIR = fileURLToPath(new URL('../../../reports/', import.meta.url));
const FORBIDDEN = [/from '\.\.\/runtime\//, /from '\.\.\/suites\//, /from '\.\.\/probes\//, /from 'dockerode'/, /from 'koffi'/];

describe('reports/ import rules', () => {
  for (const file of readdirSync(DIR).filter((f) => f.endsWith('.ts'))) {
    it(`${file} imports no runtime, suite, probe or adapter code`, () => {
      const src = readFileSync(DIR + file, 'utf8');
      for (const rule of FORBIDDEN) expect(src, `${file} matches ${rule}`).to.not.match(rule);
    });
  }
});
