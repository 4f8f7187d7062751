/**
 * JSON a person wrote (target configs), read so that what JSON.parse would silently change is an
 * error naming the field: a duplicate key (JSON.parse keeps the last), a number beyond 2^53 - 1
 * (an integer there is rounded to the nearest double), nesting deeper than a bound (later
 * recursive code — zod, merge patches, JSON.stringify — would overflow the stack mid-run). A
 * UTF-8 byte-order mark, which some editors write, is accepted. Node 20's revivers cannot see a number's source text,
 * so after JSON.parse has checked the syntax, one iterative pass over the tokens finds these.
 */
export class JsonInputError extends Error {
  readonly code = 'EJSON';
  /** True when the text is not JSON at all; false when JSON.parse would have taken it. */
  constructor(
    message: string,
    readonly syntax = false,
  ) {
    super(message);
  }
}

export interface JsonLimits {
  /** Objects and arrays open at once, the document's own included. */
  maxDepth: number;
}

/** The value of `text`; a syntax error keeps JSON.parse's message, the rest name the field. */
export function parseJsonStrictly(text: string, limits: JsonLimits): unknown {
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (e) {
    throw new JsonInputError((e as Error).message, true);
  }
  scan(body, limits);
  return value;
}

interface Frame {
  keys?: Set<string>;
  /** In an object: the key whose value comes next (undefined before the first); in an array: the index. */
  at?: string | number;
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

/** One pass over valid JSON text, with an explicit stack: no recursion, whatever the depth. */
function scan(text: string, limits: JsonLimits): void {
  const stack: Frame[] = [];
  // Paths as the config's other errors print them (zod's path joined with "."): targets.0.hostConfig.Memory
  const where = () => stack.flatMap((f) => (f.at === undefined ? [] : [f.at])).join('.') || '(root)';
  let expectKey = false;
  for (let i = 0; i < text.length; ) {
    const c = text[i]!;
    if (c === '{' || c === '[') {
      if (stack.length + 1 > limits.maxDepth) throw new JsonInputError(`${where()}: nested deeper than ${limits.maxDepth} levels`);
      stack.push(c === '{' ? { keys: new Set() } : { at: 0 });
      expectKey = c === '{';
      i++;
    } else if (c === '}' || c === ']') {
      stack.pop();
      i++;
    } else if (c === ',') {
      const top = stack[stack.length - 1]!;
      if (top.keys) expectKey = true;
      else top.at = (top.at as number) + 1;
      i++;
    } else if (c === '"') {
      const end = stringEnd(text, i);
      if (expectKey) {
        const top = stack[stack.length - 1]!;
        const key = JSON.parse(text.slice(i, end)) as string;
        top.at = key;
        if (top.keys!.has(key)) throw new JsonInputError(`${where()}: the key "${key}" is given twice in the same object`);
        top.keys!.add(key);
        expectKey = false;
      }
      i = end;
    } else if (c === '-' || (c >= '0' && c <= '9')) {
      NUMBER.lastIndex = i;
      const token = NUMBER.exec(text)![0];
      checkNumber(token, where);
      i += token.length;
    } else {
      i++; // white space, ':', and the letters of true, false and null
    }
  }
}

/** The index just past the string literal starting at `start` (its opening quote). */
function stringEnd(text: string, start: number): number {
  let i = start + 1;
  while (text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
  return i + 1;
}

function checkNumber(token: string, where: () => string): void {
  const v = Number(token);
  if (!Number.isFinite(v)) throw new JsonInputError(`${where()}: the number ${token} is out of range`);
  // Above 2^53 - 1 not every integer has a double: JSON.parse rounds to a neighbour without a word.
  if (Math.abs(v) > Number.MAX_SAFE_INTEGER) {
    throw new JsonInputError(`${where()}: the number ${token} is beyond 2^53 - 1, the largest integer a JSON number keeps exactly`);
  }
}
