/**
 * The import graph of the sources and the layer rules it must obey (README, "Layout"), read by
 * test/layers.test.ts. Imports are found with the TypeScript parser, not regular expressions, so
 * type-only imports, re-exports, multi-line imports and dynamic import() are all seen.
 *
 * A rules file `DEPS.json` governs the .ts files of its folder and of every subfolder that has no
 * DEPS.json of its own (the nearest one wins). Its `rules` map a glob over the file's path, relative
 * to that folder (`*` one path segment, `**` any depth), to what the file may import; the first key
 * that matches applies. An allowed entry is
 *   - a folder (`./`, `../model/`), relative to the rules file, ending in `/`: anything under it;
 *     `$1` stands for the path segment the key's first `*` matched (a target kind's own folder);
 *   - a file (`./registry.ts`);
 *   - `node:*` or one builtin (`node:fs`);
 *   - an npm package (`zod`; its subpaths too), or `*` for any package.
 * `compositionRoot: true` marks cli/ and bench/, which alone besides targets/registry.ts may import a
 * target kind's folder.
 */
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

export interface Import {
  /** The specifier as written. */
  spec: string;
  /** Repository-relative .ts path for a relative import that resolves; undefined otherwise. */
  resolved?: string;
  typeOnly: boolean;
  line: number;
}

export interface Rules {
  /** Repository-relative folder holding the DEPS.json. */
  dir: string;
  compositionRoot: boolean;
  rules: [string, string[]][];
}

const posix = path.posix;

/** Every import-like reference in one source text: static, type-only, re-export, dynamic, import type. */
export function importsOf(fileName: string, text: string): Omit<Import, 'resolved'>[] {
  const sf = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const out: Omit<Import, 'resolved'>[] = [];
  const add = (lit: ts.Node, typeOnly: boolean) => {
    if (!ts.isStringLiteralLike(lit)) return;
    out.push({ spec: lit.text, typeOnly, line: sf.getLineAndCharacterOfPosition(lit.getStart(sf)).line + 1 });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node)) {
      const c = node.importClause;
      const typeOnly =
        !!c &&
        (c.isTypeOnly ||
          (!c.name &&
            !!c.namedBindings &&
            ts.isNamedImports(c.namedBindings) &&
            c.namedBindings.elements.length > 0 &&
            c.namedBindings.elements.every((e) => e.isTypeOnly)));
      add(node.moduleSpecifier, typeOnly);
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier) {
      add(node.moduleSpecifier, node.isTypeOnly);
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      add(node.moduleReference.expression, node.isTypeOnly);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && node.arguments[0]) {
      if (!ts.isStringLiteralLike(node.arguments[0])) {
        out.push({ spec: `<computed: ${node.arguments[0].getText(sf)}>`, typeOnly: false, line: sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1 });
      } else add(node.arguments[0], false);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
      add(node.argument.literal, true);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

/** `./x.js` written in ESM source names `./x.ts`; undefined when nothing by that name exists. */
export function resolveRelative(root: string, fromFile: string, spec: string): string | undefined {
  const target = posix.normalize(posix.join(posix.dirname(fromFile), spec));
  const candidates = [target.replace(/\.js$/, '.ts'), target, `${target}.ts`, posix.join(target, 'index.ts')];
  return candidates.find((c) => fs.existsSync(path.join(root, c)) && fs.statSync(path.join(root, c)).isFile());
}

/** The repository's source files (tsconfig's folders minus test/), repository-relative, sorted. */
export function sourceFiles(root: string): string[] {
  const cfg = ts.readConfigFile(path.join(root, 'tsconfig.json'), ts.sys.readFile).config as { include: string[] };
  const files: string[] = [];
  const walk = (rel: string): void => {
    const abs = path.join(root, rel);
    if (!fs.existsSync(abs)) return;
    for (const e of fs.readdirSync(abs, { withFileTypes: true })) {
      const p = posix.join(rel, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') && !e.name.endsWith('.test.ts')) files.push(p);
    }
  };
  for (const dir of cfg.include.filter((d) => d !== 'test')) walk(dir);
  return files.sort();
}

/** The nearest DEPS.json at or above the file's folder, or undefined. */
export function rulesFor(root: string, file: string, cache = new Map<string, Rules | null>()): Rules | undefined {
  for (let dir = posix.dirname(file); dir !== '.' && dir !== ''; dir = posix.dirname(dir)) {
    if (!cache.has(dir)) {
      const p = path.join(root, dir, 'DEPS.json');
      if (!fs.existsSync(p)) cache.set(dir, null);
      else {
        const raw = JSON.parse(fs.readFileSync(p, 'utf8')) as { compositionRoot?: boolean; rules: Record<string, string[]> };
        cache.set(dir, { dir, compositionRoot: raw.compositionRoot === true, rules: Object.entries(raw.rules) });
      }
    }
    const r = cache.get(dir);
    if (r) return r;
  }
  return undefined;
}

/** The key's glob as a regular expression whose groups capture what each `*` matched. */
function globRegExp(glob: string): RegExp {
  const segs = glob.split('/');
  const re = segs
    .map((seg, i) => {
      if (seg === '**') return i === segs.length - 1 ? '.+' : '(?:.+/)?';
      return `${seg.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '([^/]+)')}${i === segs.length - 1 ? '' : '/'}`;
    })
    .join('');
  return new RegExp(`^${re}$`);
}

/** The rule (key and allowed entries, `$1` filled in) that applies to a file, or undefined. */
export function ruleOf(rules: Rules, file: string): { key: string; allow: string[] } | undefined {
  const rel = posix.relative(rules.dir, file);
  for (const [key, allow] of rules.rules) {
    const m = globRegExp(key).exec(rel);
    if (m) return { key, allow: allow.map((a) => a.replace(/\$1/g, m[1] ?? '$1')) };
  }
  return undefined;
}

/** The npm package an import names (`@scope/name` or `name`), without its subpath. */
function packageOf(spec: string): string {
  const parts = spec.split('/');
  return spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

/** Whether one entry of a rule allows this import of `file` (both repository-relative). */
export function allows(rules: Rules, entry: string, imp: Import): boolean {
  if (imp.spec.startsWith('node:')) return entry === 'node:*' || entry === imp.spec;
  if (imp.spec.startsWith('.')) {
    if (!entry.startsWith('.') || !imp.resolved) return false;
    const target = posix.normalize(posix.join(rules.dir, entry)).replace(/\/$/, '');
    if (entry.endsWith('/')) return target === '.' || imp.resolved.startsWith(`${target}/`);
    return imp.resolved === target;
  }
  if (entry === '*') return true;
  return entry === packageOf(imp.spec);
}

/** Target kinds are the folders of targets/ other than common/. */
export function targetKindOf(file: string): string | undefined {
  const m = /^targets\/([^/]+)\//.exec(file);
  return m && m[1] !== 'common' ? m[1] : undefined;
}

/**
 * Cycles of the file-level graph: one cycle per strongly connected component with more than one
 * file (or a file importing itself), printed as a path `a → b → … → a`.
 */
export function cycles(graph: Map<string, string[]>): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const comps: string[][] = [];
  const strong = (v: string): void => {
    idx.set(v, index);
    low.set(v, index);
    index++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!idx.has(w)) {
        strong(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const comp: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        comp.push(w);
      } while (w !== v);
      if (comp.length > 1 || (graph.get(v) ?? []).includes(v)) comps.push(comp);
    }
  };
  for (const v of [...graph.keys()].sort()) if (!idx.has(v)) strong(v);
  return comps.map((comp) => cycleIn(graph, new Set(comp)));
}

/** One concrete cycle through the component's smallest file (breadth-first, so the shortest). */
function cycleIn(graph: Map<string, string[]>, comp: Set<string>): string[] {
  const start = [...comp].sort()[0]!;
  const prev = new Map<string, string>();
  const queue = [start];
  while (queue.length) {
    const v = queue.shift()!;
    for (const w of graph.get(v) ?? []) {
      if (!comp.has(w)) continue;
      if (w === start) {
        const path = [start];
        for (let u: string | undefined = v; u !== undefined && u !== start; u = prev.get(u)) path.splice(1, 0, u);
        return [...path, start];
      }
      if (!prev.has(w)) {
        prev.set(w, v);
        queue.push(w);
      }
    }
  }
  return [start, start];
}
