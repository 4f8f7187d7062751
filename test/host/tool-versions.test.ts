import { expect } from 'chai';
import { firstVersionLine, isolationToolVersions } from '../../host/tool-versions.js';

describe('isolation tool versions', () => {
  it('takes the first non-empty line', () => expect(firstVersionLine('\n  runc version 1.1.5\ncommit: x\n')).to.equal('runc version 1.1.5'));
  it('says none for an empty answer', () => expect(firstVersionLine(' \n\n')).to.equal(null));
  it('bounds a long line', () => expect(firstVersionLine('x'.repeat(500))).to.have.length(120));
  it('leaves out a tool that is not installed', () => expect(isolationToolVersions(['isoprobe-no-such-tool'])).to.deep.equal({}));
  it('asks a tool that is there', () => {
    // node is always present where the tests run; its --version is one line such as v20.19.5.
    const v = isolationToolVersions(['node']);
    expect(v['tool.node']).to.match(/^v\d+\./);
  });
});
