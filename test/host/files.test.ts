import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { listDir, readLines, readOrNull, readTrimmed } from '../../host/files.js';

describe('host/files: readers of files that may be absent', () => {
  let dir = '';
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'isoprobe-files-'));
    fs.writeFileSync(path.join(dir, 'text'), ' 12\n\n34\n');
    fs.writeFileSync(path.join(dir, 'empty'), '');
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const at = (f: string) => path.join(dir, f);

  const cases: [string, () => unknown, unknown][] = [
    ['readOrNull: the text as it is', () => readOrNull(at('text')), ' 12\n\n34\n'],
    ['readOrNull: null when absent', () => readOrNull(at('absent')), null],
    ['readOrNull: null for a directory', () => readOrNull(dir), null],
    ['readTrimmed: without surrounding white space', () => readTrimmed(at('text')), '12\n\n34'],
    ['readTrimmed: an empty file is "" (present), not null', () => readTrimmed(at('empty')), ''],
    ['readTrimmed: null when absent', () => readTrimmed(at('absent')), null],
    ['readLines: the non-empty lines', () => readLines(at('text')), [' 12', '34']],
    ['readLines: none when absent', () => readLines(at('absent')), []],
    ['listDir: the entries', () => listDir(dir).sort(), ['empty', 'text']],
    ['listDir: none when absent', () => listDir(at('absent')), []],
  ];
  for (const [name, fn, want] of cases) it(name, () => expect(fn()).to.deep.equal(want));
});
