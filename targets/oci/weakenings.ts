import type { Weakening } from '../../model/weakening.js';

export const weakenings: Weakening[] = [];
