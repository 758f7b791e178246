// Mutations of corpus scenarios for the input fuzzer: fast-check draws a plan (which file,
// which operations, where), and applying a plan is a pure function of the plan and the file,
// so a case is reproduced from its seed and index alone.
import fc from 'fast-check';
import { parse, stringify } from 'yaml';

export type Op =
  | { k: 'delete'; at: number }
  | { k: 'retype'; at: number; v: number }
  | { k: 'number'; at: number; v: number }
  | { k: 'dup'; at: number; times: number }
  | { k: 'grow'; at: number; n: number }
  | { k: 'swap'; at: number; with: number }
  | { k: 'name'; at: number; with: number }
  | { k: 'truncate'; at: number }
  | { k: 'bytes'; at: number; bytes: number[] }
  | { k: 'insert'; at: number; v: number }
  | { k: 'alias'; at: number; v: number }
  | { k: 'nest'; at: number; depth: number };

export interface Plan {
  file: number;
  ops: Op[];
}

// Values a scenario field can be retyped to: the wrong type, the edges of every range the
// schema has, strings that are huge or hold control characters and bidi marks.
const WEIRD: unknown[] = [
  0, -1, 1.5, -0.5, 2 ** 31 - 1, 2 ** 31, 2 ** 32, 2 ** 53, 1e308, -1e308, Infinity, NaN, 'NaN', '.nan', '-.inf', '1e999', '0x1F', '',
  null, true, false, [], {}, [[]], { a: 1 }, 'a'.repeat(100_000), 'caf\u00e9 \u{1F680}', '\u0007\u001b[31mred', '\u202egnp.exe', 'x\u0000y', '\ud800', '<<', '__proto__', 'rest', 'latest', 'previous',
];
const EDGES = [0, 1, -1, 2, 7, 8, 9, 29, 30, 31, 32, 33, 60, 61, 63, 64, 65, 100, 101, 250, 251, 365, 366, 1000, 1001, 3650, 3651, 10_000, 10_001, 1_000_000, 1_000_001, 1e8, 1e8 + 1, 1e9, 2 ** 31 - 1, 2 ** 31, 2 ** 32, 2 ** 53, 1e308, 1.5];
const INSERTS = ['\u0000', '\u0007', '\u001b[2J', '\t', '\r', '\ufeff', '\u202e', '\ud83d', '\u0085', '\u2028', '---\n', '...\n', '%YAML 1.1\n', '&a ', '*a ', '!!binary ', '!foo ', '? ', '<<: *a\n', '{', '[', ']', '}', '"', "'", '|\n', '>\n', '#', ': ', '- ', '@', '`'];

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ k: fc.constant('delete' as const), at: fc.nat() }),
  fc.record({ k: fc.constant('retype' as const), at: fc.nat(), v: fc.nat({ max: WEIRD.length - 1 }) }),
  fc.record({ k: fc.constant('number' as const), at: fc.nat(), v: fc.nat({ max: EDGES.length - 1 }) }),
  fc.record({ k: fc.constant('dup' as const), at: fc.nat(), times: fc.integer({ min: 1, max: 3 }) }),
  fc.record({ k: fc.constant('grow' as const), at: fc.nat(), n: fc.constantFrom(2, 5, 31, 40, 300) }),
  fc.record({ k: fc.constant('swap' as const), at: fc.nat(), with: fc.nat() }),
  fc.record({ k: fc.constant('name' as const), at: fc.nat(), with: fc.nat() }),
  fc.record({ k: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ k: fc.constant('bytes' as const), at: fc.nat(), bytes: fc.array(fc.nat({ max: 255 }), { minLength: 1, maxLength: 8 }) }),
  fc.record({ k: fc.constant('insert' as const), at: fc.nat(), v: fc.nat({ max: INSERTS.length - 1 }) }),
  fc.record({ k: fc.constant('alias' as const), at: fc.nat(), v: fc.integer({ min: 0, max: 3 }) }),
  fc.record({ k: fc.constant('nest' as const), at: fc.nat(), depth: fc.constantFrom(10, 40, 1000, 20_000) }),
);

export const planArb: fc.Arbitrary<Plan> = fc.record({ file: fc.nat(), ops: fc.array(opArb, { minLength: 1, maxLength: 3 }) });

type Path = (string | number)[];

function leaves(x: unknown, path: Path = [], out: { path: Path; value: unknown }[] = []): { path: Path; value: unknown }[] {
  out.push({ path, value: x });
  if (Array.isArray(x)) x.forEach((v, i) => leaves(v, [...path, i], out));
  else if (x && typeof x === 'object') for (const [k, v] of Object.entries(x)) leaves(v, [...path, k], out);
  return out;
}

function parentOf(root: unknown, path: Path): [Record<string | number, unknown>, string | number] | null {
  if (path.length === 0) return null;
  let p: unknown = root;
  for (const seg of path.slice(0, -1)) p = (p as Record<string | number, unknown>)[seg];
  return [p as Record<string | number, unknown>, path[path.length - 1]];
}

const clone = <T>(v: T): T => (v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T));

// A copy of a list entry with its names made new, so that growing a list of components or
// records adds entries the loader does not reject as duplicates straight away.
function renamed(v: unknown, i: number): unknown {
  if (typeof v === 'string') return `${v}-${i}`;
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    const o = clone(v) as Record<string, unknown>;
    if (typeof o.name === 'string') o.name = `${o.name}-${i}`;
    return o;
  }
  return clone(v);
}

function mutateObject(data: unknown, op: Op): unknown {
  const all = leaves(data);
  const pick = (n: number) => all[n % all.length];
  const target = pick(op.at);
  const parent = parentOf(data, target.path);
  const set = (v: unknown) => {
    if (!parent) return (data = v);
    parent[0][parent[1]] = v;
  };
  switch (op.k) {
    case 'delete':
      if (!parent) return data;
      if (Array.isArray(parent[0])) parent[0].splice(parent[1] as number, 1);
      else delete parent[0][parent[1]];
      return data;
    case 'retype':
      set(clone(WEIRD[op.v]));
      return data;
    case 'number': {
      // a numeric leaf gets an edge value; else the nearest numeric leaf after it
      const nums = all.filter((l) => typeof l.value === 'number');
      const t = nums.length ? nums[op.at % nums.length] : target;
      const p = parentOf(data, t.path);
      if (p) p[0][p[1]] = EDGES[op.v];
      return data;
    }
    case 'dup':
    case 'grow': {
      const lists = all.filter((l) => Array.isArray(l.value) && (l.value as unknown[]).length > 0);
      if (!lists.length) return data;
      const list = lists[op.at % lists.length].value as unknown[];
      const item = list[op.at % list.length];
      const n = op.k === 'dup' ? op.times : op.n;
      for (let i = 0; i < n; i++) list.push(op.k === 'dup' ? clone(item) : renamed(item, i + 1));
      return data;
    }
    case 'swap': {
      const other = pick(op.with);
      const p2 = parentOf(data, other.path);
      if (!parent || !p2) return data;
      const a = clone(target.value);
      parent[0][parent[1]] = clone(other.value);
      p2[0][p2[1]] = a;
      return data;
    }
    case 'name': {
      // a string leaf takes another string of the file: a name used where another kind is meant
      const strings = all.filter((l) => typeof l.value === 'string');
      if (!strings.length || !parent) return data;
      set(strings[op.with % strings.length].value);
      return data;
    }
    default:
      return data;
  }
}

function mutateText(text: string, op: Op): string | Buffer {
  const at = text.length ? op.at % text.length : 0;
  switch (op.k) {
    case 'truncate':
      return text.slice(0, at);
    case 'bytes':
      return Buffer.concat([Buffer.from(text.slice(0, at)), Buffer.from(op.bytes), Buffer.from(text.slice(at))]);
    case 'insert':
      return text.slice(0, at) + INSERTS[op.v] + text.slice(at);
    case 'nest': {
      const line = text.lastIndexOf('\n', at) + 1;
      const colon = text.indexOf(': ', line);
      if (colon < 0) return text;
      const end = text.indexOf('\n', colon);
      return `${text.slice(0, colon + 2)}${'['.repeat(op.depth)}1${']'.repeat(op.depth)}${text.slice(end < 0 ? text.length : end)}`;
    }
    case 'alias': {
      // 0: an alias with no anchor; 1: an anchor and one alias to it; 2: an anchor used 150
      // times; 3: anchors of aliases (a small billion laughs)
      const lines = text.split('\n');
      const i = op.at % Math.max(1, lines.length);
      const m = /^(\s*(?:- )?[\w.-]+: )(.+)$/.exec(lines[i] ?? '');
      if (!m) return text;
      if (op.v === 0) lines[i] = `${m[1]}*nowhere`;
      else if (op.v === 1) {
        lines[i] = `${m[1]}&anc ${m[2]}`;
        const j = lines.findIndex((l, n) => n > i && /^\s*(?:- )?[\w.-]+: [^&*\n]+$/.test(l));
        if (j > 0) lines[j] = lines[j].replace(/: .*$/, ': *anc');
      } else if (op.v === 2) lines[i] = `${m[1]}&anc [1]\nmany: [${Array(150).fill('*anc').join(', ')}]`;
      else lines[i] = `${m[1]}&a0 [x, x]\nl1: &a1 [${Array(11).fill('*a0').join(',')}]\nl2: &a2 [${Array(11).fill('*a1').join(',')}]`;
      return lines.join('\n');
    }
    default:
      return text;
  }
}

const TEXT_OPS = new Set(['truncate', 'bytes', 'insert', 'nest', 'alias']);

// The mutated file's bytes: object operations on the parsed scenario first, then text ones.
export function applyPlan(source: string, plan: Plan): Buffer {
  let data: unknown = parse(source);
  const objectOps = plan.ops.filter((o) => !TEXT_OPS.has(o.k));
  for (const op of objectOps) data = mutateObject(data, op);
  let out: string | Buffer = objectOps.length ? stringify(data, { lineWidth: 0, aliasDuplicateObjects: false }) : source;
  for (const op of plan.ops.filter((o) => TEXT_OPS.has(o.k))) {
    out = typeof out === 'string' ? mutateText(out, op) : Buffer.concat([out, Buffer.from(mutateText('', op))]);
  }
  return typeof out === 'string' ? Buffer.from(out, 'utf8') : out;
}
