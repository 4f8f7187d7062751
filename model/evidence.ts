/**
 * The names of the kinds of evidence a check can read (what each holds: model/check.ts Evidence).
 * Apart from check.ts, with no imports, so that model/target.ts can say what a target provides
 * without an import cycle (check.ts reads target.ts's TargetCapabilities).
 */
export const EVIDENCE_KINDS = ['container', 'reference', 'sentinels', 'observed', 'after', 'enforcement', 'siblings', 'sandbox'] as const;
export type EvidenceKind = (typeof EVIDENCE_KINDS)[number];
