/** Validates a results document against the published schema (schemas/results.schema.json) with ajv: the errors, none when valid. */
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const SCHEMA = JSON.parse(fs.readFileSync(`${REPO}/schemas/results.schema.json`, 'utf8'));

export function validateResults(value: unknown): string[] {
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  // RFC 3339 date-time, as zod's z.iso.datetime({ offset: true }) writes it.
  ajv.addFormat('date-time', /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/);
  const validate = ajv.compile(SCHEMA);
  return validate(value) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}
