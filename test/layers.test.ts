/**
 * Every import points down the layers (README, "Layout"): each layer folder's DEPS.json says what
 * its files may import, and this test reads every source file's imports (type-only and dynamic ones
 * included) against it, then looks for file-level cycles. The rules format is described in
 * test/support/imports.ts.
 */
import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { allows, cycles, importsOf, resolveRelative, ruleOf, rulesFor, sourceFiles, targetKindOf, type Import, type Rules } from './support/imports.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

interface Source {
  file: string;
  rules?: Rules;
  rule?: { key: string; allow: string[] };
  imports: Import[];
}

function load(): Source[] {
  const cache = new Map<string, Rules | null>();
  return sourceFiles(ROOT).map((file) => {
    const imports = importsOf(file, fs.readFileSync(path.join(ROOT, file), 'utf8')).map((i) => ({
      ...i,
      resolved: i.spec.startsWith('.') ? resolveRelative(ROOT, file, i.spec) : undefined,
    }));
    const rules = rulesFor(ROOT, file, cache);
    return { file, rules, rule: rules && ruleOf(rules, file), imports };
  });
}

/** Fails with one line per finding (chai's diff of two arrays would print every line twice). */
function none(findings: string[], what: string): void {
  if (findings.length) expect.fail(`${findings.length} ${what}:\n${findings.join('\n')}`);
}

const where = (s: Source, i: Import) => `${s.file}:${i.line} imports${i.typeOnly ? ' type' : ''} '${i.spec}'${i.resolved ? ` (${i.resolved})` : ''}`;

describe('layers: imports point down (DEPS.json per layer folder)', () => {
  const sources = load();

  it('finds the sources and their imports', () => {
    expect(sources.length, 'source files found').to.be.greaterThan(50);
    expect(sources.some((s) => s.file.startsWith('model/'))).to.equal(true);
    const parsed = importsOf(
      'x.ts',
      [
        "import a from 'pkg-a';",
        "import type { B } from './b.js';",
        "import { type C } from './c.js';",
        "export { d } from './d.js';",
        "export type { E } from './e.js';",
        "export * from './f.js';",
        "import {\n  g,\n} from './g.js';",
        "const h = await import('./h.js');",
        "let i: typeof import('./i.js');",
        "import './j.js';",
      ].join('\n'),
    );
    expect(parsed.map((p) => `${p.spec}${p.typeOnly ? ' (type)' : ''}`)).to.deep.equal([
      'pkg-a',
      './b.js (type)',
      './c.js (type)',
      './d.js',
      './e.js (type)',
      './f.js',
      './g.js',
      './h.js',
      './i.js (type)',
      './j.js',
    ]);
  });

  it('the rules refuse what they do not list (the checker can fail)', () => {
    const model = rulesFor(ROOT, 'model/check.ts')!;
    const rule = ruleOf(model, 'model/check.ts')!;
    const wrong: Import = { spec: '../checks/define.js', resolved: 'checks/define.ts', typeOnly: true, line: 1 };
    expect(rule.allow.some((e) => allows(model, e, wrong))).to.equal(false);
    expect(rule.allow.some((e) => allows(model, e, { spec: 'zod', typeOnly: false, line: 1 }))).to.equal(true);
    // A new kind's folder with no DEPS.json of its own: its own folder and common/, never a sibling.
    const targets = rulesFor(ROOT, 'targets/newkind/newkind.ts')!;
    const kind = ruleOf(targets, 'targets/newkind/newkind.ts')!;
    const from = (spec: string, resolved: string): Import => ({ spec, resolved, typeOnly: false, line: 1 });
    expect(kind.allow.some((e) => allows(targets, e, from('./session.js', 'targets/newkind/session.ts')))).to.equal(true);
    expect(kind.allow.some((e) => allows(targets, e, from('../common/observe.js', 'targets/common/observe.ts')))).to.equal(true);
    expect(kind.allow.some((e) => allows(targets, e, from('../builtin/builtin.js', 'targets/builtin/builtin.ts')))).to.equal(false);
    expect(
      cycles(
        new Map([
          ['a', ['b']],
          ['b', ['c']],
          ['c', ['a']],
          ['d', ['a']],
        ]),
      ),
    ).to.deep.equal([['a', 'b', 'c', 'a']]);
  });

  it('every source file is governed by a rule of a DEPS.json', () => {
    const bad = sources
      .filter((s) => !s.rule)
      .map((s) => (s.rules ? `${s.file}: no key of ${s.rules.dir}/DEPS.json matches it` : `${s.file}: no DEPS.json in its folder or above`));
    none(bad, 'source files no rule governs');
  });

  it('every relative import names an existing file, and none is computed', () => {
    const bad = sources.flatMap((s) =>
      s.imports.filter((i) => (i.spec.startsWith('.') && !i.resolved) || i.spec.startsWith('<computed')).map((i) => where(s, i)),
    );
    none(bad, 'imports that do not resolve');
  });

  it('every import is one its DEPS.json allows', () => {
    const bad = sources
      .filter((s) => s.rule)
      .flatMap((s) =>
        s.imports
          .filter((i) => !s.rule!.allow.some((e) => allows(s.rules!, e, i)))
          .map((i) => `${where(s, i)}: not allowed by ${s.rules!.dir}/DEPS.json "${s.rule!.key}": [${s.rule!.allow.join(', ')}]`),
      );
    none(bad, 'imports the layer rules do not allow');
  });

  it('only targets/registry.ts and the composition roots import a target kind; no kind imports a sibling', () => {
    const bad = sources.flatMap((s) =>
      s.imports.flatMap((i) => {
        const to = i.resolved && targetKindOf(i.resolved);
        const from = targetKindOf(s.file);
        if (!to || to === from || s.file === 'targets/registry.ts' || s.rules?.compositionRoot) return [];
        return [
          `${where(s, i)}: ${from ? `targets/${from}/ imports its sibling targets/${to}/ (shared code goes to targets/common/ or host/)` : `only targets/registry.ts may import targets/${to}/`}`,
        ];
      }),
    );
    none(bad, 'imports of a target kind from outside it');
  });

  it('no file-level import cycle (type-only imports included)', () => {
    const graph = new Map(sources.map((s) => [s.file, [...new Set(s.imports.flatMap((i) => (i.resolved ? [i.resolved] : [])))]]));
    const found = cycles(graph).map((c) => c.join(' → '));
    none(found, 'import cycles');
  });
});
