import { expect } from 'chai';
import { ParseError } from '../../../model/parse/lines.js';
import { parseLimits } from '../../../model/parse/limits.js';

/** /proc/self/limits of a runc container on the development VM (trimmed). */
const LIMITS = `Limit                     Soft Limit           Hard Limit           Units     
Max cpu time              unlimited            unlimited            seconds   
Max processes             62985                62985                processes 
Max open files            1024                 1024                 files     
Max locked memory         8388608              8388608              bytes     
Max realtime timeout      unlimited            unlimited            us        
`;

describe('parseLimits', () => {
  it('reads each resource by its RLIMIT_ name, unlimited as such', () => {
    expect(parseLimits(LIMITS)).to.deep.equal({
      cpu: { soft: 'unlimited', hard: 'unlimited' },
      nproc: { soft: 62985, hard: 62985 },
      nofile: { soft: 1024, hard: 1024 },
      memlock: { soft: 8388608, hard: 8388608 },
      rttime: { soft: 'unlimited', hard: 'unlimited' },
    });
  });
  it('refuses a line it cannot read rather than dropping it', () => {
    expect(() => parseLimits('Max open files  lots  1024  files\n')).to.throw(ParseError, /limits line 1/);
    expect(() => parseLimits('Max teleports  1  1  things\n')).to.throw(ParseError);
  });
});
