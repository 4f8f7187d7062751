import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { writableDirProblem } from '../../host/writable-dir.js';

describe('host/writable-dir: can a directory take the files a run writes', () => {
  let dir = '';
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'isoprobe-writable-'));
    fs.writeFileSync(path.join(dir, 'file'), '');
    fs.mkdirSync(path.join(dir, 'out/results.json'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'out/junit.xml'), '');
    fs.symlinkSync(path.join(dir, 'absent'), path.join(dir, 'dangling'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const at = (f: string) => path.join(dir, f);

  it('an existing directory, or one still to be made (and nothing is left behind)', () => {
    expect(writableDirProblem(dir)).to.equal(null);
    expect(writableDirProblem(at('new/deeper'))).to.equal(null);
    expect(fs.readdirSync(dir).sort()).to.deep.equal(['dangling', 'file', 'out']);
  });

  it('a relative path is taken from the working directory', () => {
    expect(writableDirProblem(path.relative(process.cwd(), at('new')))).to.equal(null);
  });

  const refused: [string, () => string | null, string][] = [
    ['a file', () => writableDirProblem(at('file')), `${at('file')} is not a directory`],
    ['a path under a file', () => writableDirProblem(at('file/reports')), `${at('file')} is not a directory`],
    ['a symbolic link to nothing', () => writableDirProblem(at('dangling')), `${at('dangling')} is a symbolic link to nothing`],
    [
      'a directory where a report goes',
      () => writableDirProblem(at('out'), ['junit.xml', 'results.json']),
      `${at('out/results.json')} is in the way (not a regular file)`,
    ],
  ];
  for (const [what, problem, message] of refused) it(`refuses ${what}`, () => expect(problem()).to.include(message));

  it('refuses a directory its user cannot write (mode bits stop everyone but root)', function () {
    if (process.getuid?.() === 0) this.skip(); // as root: bad-input.root.test.ts, with a read-only mount
    fs.mkdirSync(at('ro'), { mode: 0o555 });
    expect(writableDirProblem(at('ro/reports'))).to.equal(`${at('ro')} is not writable (permission denied)`);
  });
});
