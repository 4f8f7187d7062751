import { expect } from 'chai';
import { provenanceOf, RequestSchema, SETTING_KEYS, type Request } from '../../model/request.js';

describe('model/request', () => {
  it('names every namespace and setting key once', () => {
    expect(SETTING_KEYS).to.include.members(['ns.pid', 'ns.time', 'caps', 'limits.pids', 'rlimits', 'sysctls']);
    expect(new Set(SETTING_KEYS).size).to.equal(SETTING_KEYS.length);
  });

  it('gives an absent setting the runtime default as its provenance', () => {
    const r: Request = { 'limits.pids': { value: 64, source: 'isoprobe' }, noNewPrivs: { value: true, source: 'user config' } };
    expect(provenanceOf(r, 'limits.pids')).to.equal('isoprobe');
    expect(provenanceOf(r, 'noNewPrivs')).to.equal('user config');
    expect(provenanceOf(r, 'limits.memory')).to.equal('runtime default');
  });

  it('validates a request read back from results', () => {
    expect(RequestSchema.safeParse({ 'ns.pid': { value: 'joined:container:a', source: 'user config' } }).success).to.equal(true);
    expect(RequestSchema.safeParse({ 'ns.pid': { value: 'shared', source: 'user config' } }).success).to.equal(false);
    expect(RequestSchema.safeParse({ caps: { value: { add: ['SYS_ADMIN'], drop: [] }, source: 'isoprobe' } }).success).to.equal(false);
    expect(RequestSchema.safeParse({ noNewPrivs: { value: true, source: 'runtime default' } }).success).to.equal(false);
  });
});
