/**
 * Who asked for a setting, as a check's evidence says it: "isoprobe: asked 64", "user config:
 * asked 100", "runtime default: nobody asked" (model/request.ts provenanceOf), so a failure of a
 * setting nobody asked for reads apart from one the runtime was asked for and did not deliver.
 */
import { provenanceOf, type Request, type SettingKey } from '../model/request.js';

export function askedText<K extends SettingKey>(request: Request, key: K, show: (v: NonNullable<Request[K]>['value']) => string = String): string {
  const r = request[key];
  return r ? `${provenanceOf(request, key)}: asked ${show(r.value as NonNullable<Request[K]>['value'])}` : 'runtime default: nobody asked';
}

/** A limit's value as asked: 0 is "none" (explicitly unlimited). */
export function limitShown(v: number): string {
  return v === 0 ? 'none' : String(v);
}
