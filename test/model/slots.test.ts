import { expect } from 'chai';
import { Slots } from '../../model/slots.js';

describe('model/slots', () => {
  it('lets at most `size` holders in at once, the others in order, and frees a slot on a throw', async () => {
    const slots = new Slots(2);
    let inside = 0;
    let most = 0;
    const order: number[] = [];
    const hold = (i: number) =>
      slots.with(async () => {
        inside++;
        most = Math.max(most, inside);
        await new Promise((r) => setTimeout(r, 5));
        order.push(i);
        inside--;
        if (i === 0) throw new Error('boom');
        return i;
      });
    const settled = await Promise.allSettled([0, 1, 2, 3, 4].map(hold));
    expect(most).to.equal(2);
    expect(settled.map((s) => s.status)).to.deep.equal(['rejected', 'fulfilled', 'fulfilled', 'fulfilled', 'fulfilled']);
    expect(order.slice(2)).to.deep.equal([2, 3, 4]);
  });
});
