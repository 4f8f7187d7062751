/** The fleet input the fleet tests share: three placeholder nodes, RuntimeClasses runc and runsc. */
import type { FleetInput } from '../../fleet/plan.js';

export const FLEET: FleetInput = {
  nonce: '0123abcd',
  nodes: ['node-1', 'node-2', 'node-3'],
  placeholders: true,
  runtimeClasses: [
    { name: 'runc', handler: 'runc', handlerGiven: false },
    { name: 'runsc', handler: 'runsc', handlerGiven: false },
  ],
  namespace: 'isoprobe-0123abcd',
  image: 'isoprobe:0.1.0',
  probeImage: 'docker.io/library/isoprobe-probe:0123456789abcdef',
  timeoutS: 900,
  parallelism: 2,
  version: '0.1.0',
};
