#!/usr/bin/env node
// Writes schemas/results.schema.json, the JSON Schema of results.json, from the results model's
// zod schema (model/results.ts, built to dist/): the one definition, so the published schema and
// what isoprobe writes and reads cannot drift apart. `--check` fails when the file is stale.
import { readFileSync, writeFileSync } from 'node:fs';
import { z } from 'zod';

const { runResultsSchema, RESULTS_SCHEMA_VERSION } = await import(new URL('../dist/model/results.js', import.meta.url).href);
const OUT = new URL('../schemas/results.schema.json', import.meta.url);
const schema = {
  ...z.toJSONSchema(runResultsSchema, { io: 'output', unrepresentable: 'any' }),
  $id: `https://isoprobe.invalid/schemas/results-${RESULTS_SCHEMA_VERSION}.schema.json`,
  title: `isoprobe results (schema ${RESULTS_SCHEMA_VERSION})`,
  description:
    'What `isoprobe run` writes as results.json and `isoprobe diff` reads. Generated from model/results.ts by scripts/gen-results-schema.mjs; do not edit.',
};
const text = `${JSON.stringify(schema, null, 2)}\n`;
if (process.argv.includes('--check')) {
  if (readFileSync(OUT, 'utf8') !== text) {
    console.error('schemas/results.schema.json is stale: run npm run build && node scripts/gen-results-schema.mjs');
    process.exit(1);
  }
} else writeFileSync(OUT, text);
