/**
 * Every row of the bad-input table (./bad-input-cases.ts) as a user who is not root (as root, the
 * rows run as nobody): exit 2, exactly one line on stderr saying what was wrong, no stack, nothing
 * on stdout, and nothing made — the row's directory as it was, no run directory.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ACCEPTED_ROWS, expectOneLineAndNothingMade, type Outcome, runRows, UNWRITABLE_ROW, USER_ROWS } from './bad-input-cases.js';

const NOBODY = 65534;

describe('bad input: one line, exit 2, nothing made (as a user who is not root)', () => {
  const uid = process.getuid?.() === 0 ? NOBODY : undefined;
  const rows = [...USER_ROWS, UNWRITABLE_ROW, ...ACCEPTED_ROWS];
  let parent: string;
  let outcomes: Outcome[];
  before(async function () {
    this.timeout(180_000);
    parent = fs.mkdtempSync(path.join(os.tmpdir(), 'isoprobe-bad-input-'));
    fs.chmodSync(parent, 0o755);
    outcomes = await runRows(rows, parent, { uid });
  });
  after(() => {
    for (const e of fs.readdirSync(parent, { recursive: true, withFileTypes: true })) {
      if (e.isDirectory()) fs.chmodSync(path.join(e.parentPath, e.name), 0o755);
    }
    fs.rmSync(parent, { recursive: true, force: true });
  });

  rows.forEach((row, i) => {
    it(`${row.what}: exit ${row.code}, ${row.message}`, () => expectOneLineAndNothingMade(row, outcomes[i]!));
  });
});
