// Damage for result files: what a disk, an editor, a truncated CI artefact or a hostile
// colleague can do to a result JSON. Plans are plain data drawn by fast-check (so a seed
// reproduces them); applying one to a real result gives the text a reader is handed.
import fc from 'fast-check';

export const MARKUP = ['<img src=x onerror=alert(1)>', '</script><script>alert(1)</script>', '"><svg onload=alert(1)>', "'><iframe srcdoc=x>"];

// Raw markup that must never reach a page unescaped: the test of "nothing injected".
export const INJECTED = /<img src=x onerror|<\/script><script>alert|<svg onload|<iframe srcdoc/i;

const deep = (depth: number): unknown => {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = i % 2 ? { d: v } : [v];
  return v;
};

// Values put in place of a field's value: wrong types, nulls, bounds, NaN-ish and markup.
const VALUES: readonly unknown[] = [
  null, true, false, '', 0, -1, -0.5, 0.5, -1e300, 1e300, 2 ** 53 + 1, 1e15 + 1, 'NaN', 'Infinity', '-1', '1e999', '12',
  [], {}, [null], { '': null }, ...MARKUP, '\u001b[31mred\u001b[0m\u0007', '\u202eevil', 'x'.repeat(100_000), deep(40), deep(2000),
];

// Keys added to an object: prototype names, markup, the empty key.
const KEYS = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', '', ...MARKUP];

// Fields whose value the schema fixes (const, enum, pattern): markup there is rejected, so a
// result "with markup everywhere it is allowed" leaves them alone.
const FIXED = new Set(['schema', 'engine', 'verdict', 'kind', 'category', 'harm', 'status', 'rollback', 'phase', 'backend', 'actor', 'scope', 'shard', 'name@tool', 'name@phases']);
// Objects whose keys are data (step, event, phase, fault, key-state names): keys get markup too.
// Not the objects of a list under such a name (runbook.phases): their keys are the schema's.
const KEYED = new Set(['events', 'runbookSteps', 'stepsByPhase', 'phases', 'phasesEntered', 'faultsByStep', 'versionStates', 'keyVersions']);

export type Op =
  | { kind: 'delete'; at: number; shallow: boolean }
  | { kind: 'set'; at: number; shallow: boolean; value: number }
  | { kind: 'addKey'; at: number; key: number; value: number }
  | { kind: 'emptyList'; at: number }
  | { kind: 'markupAll'; variant: number }
  | { kind: 'truncate'; frac: number }
  | { kind: 'bytes'; frac: number; bytes: number[] }
  | { kind: 'numberLiteral'; at: number; literal: number }
  | { kind: 'deepText'; depth: number };

export interface Plan {
  base: number;
  ops: Op[];
}

export function planArbitrary(bases: number): fc.Arbitrary<Plan> {
  const at = fc.nat();
  const op: fc.Arbitrary<Op> = fc.oneof(
    { weight: 4, arbitrary: fc.record({ kind: fc.constant('delete' as const), at, shallow: fc.boolean() }) },
    { weight: 6, arbitrary: fc.record({ kind: fc.constant('set' as const), at, shallow: fc.boolean(), value: fc.nat(VALUES.length - 1) }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('addKey' as const), at, key: fc.nat(KEYS.length - 1), value: fc.nat(VALUES.length - 1) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('emptyList' as const), at }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('markupAll' as const), variant: fc.nat(MARKUP.length - 1) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('truncate' as const), frac: fc.double({ min: 0, max: 1, noNaN: true }) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('bytes' as const), frac: fc.double({ min: 0, max: 1, noNaN: true }), bytes: fc.array(fc.nat(255), { minLength: 1, maxLength: 8 }) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('numberLiteral' as const), at, literal: fc.nat(4) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('deepText' as const), depth: fc.integer({ min: 100, max: 100_000 }) }) },
  );
  return fc.record({ base: fc.nat(bases - 1), ops: fc.array(op, { minLength: 1, maxLength: 3 }) });
}

type Path = (string | number)[];

function paths(doc: unknown, shallow: boolean): Path[] {
  const out: Path[] = [];
  const walk = (v: unknown, p: Path) => {
    if (shallow && p.length > 4) return;
    if (p.length) out.push(p);
    if (Array.isArray(v)) v.forEach((x, i) => walk(x, [...p, i]));
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, [...p, k]);
  };
  walk(doc, []);
  return out;
}

function parentOf(doc: unknown, p: Path): Record<string | number, unknown> {
  let v = doc as Record<string | number, unknown>;
  for (const k of p.slice(0, -1)) v = v[k] as Record<string | number, unknown>;
  return v;
}

function containers(doc: unknown): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  const walk = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      out.push(v as Record<string, unknown>);
      Object.values(v).forEach(walk);
    }
  };
  walk(doc);
  return out;
}

// Every string value, and every key of the data-keyed objects, becomes markup (keeping what
// the schema fixes): the result still loads, so only escaping keeps it off the page.
export function withMarkupEverywhere(doc: unknown, markup = MARKUP[0]): unknown {
  let n = 0;
  const tag = () => `${markup}#${n++}`; // distinct, so keys stay distinct
  const walk = (v: unknown, key: string, parent: string, inList = false): unknown => {
    if (typeof v === 'string') return FIXED.has(key) || FIXED.has(`${key}@${parent}`) ? v : tag();
    if (Array.isArray(v)) return v.map((x) => walk(x, key, parent, true));
    if (v && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) out[KEYED.has(key) && !inList ? tag() : k] = walk(x, k, key);
      return out;
    }
    return v;
  };
  return walk(doc, '', '');
}

export function applyPlan(base: unknown, plan: Plan): string {
  let doc: unknown = structuredClone(base);
  let text: string | null = null; // once damaged as text, later ops work on the text
  for (const op of plan.ops) {
    if (text === null && (op.kind === 'delete' || op.kind === 'set' || op.kind === 'addKey' || op.kind === 'emptyList' || op.kind === 'markupAll')) {
      doc = applyToDoc(doc, op);
      continue;
    }
    text ??= JSON.stringify(doc);
    text = applyToText(text, op);
  }
  return text ?? JSON.stringify(doc);
}

function applyToDoc(doc: unknown, op: Op): unknown {
  if (op.kind === 'markupAll') return withMarkupEverywhere(doc, MARKUP[op.variant]);
  if (op.kind === 'addKey') {
    const objs = containers(doc);
    // defineProperty: a plain assignment to "__proto__" would set the prototype, not a key
    Object.defineProperty(objs[op.at % objs.length], KEYS[op.key], { value: structuredClone(VALUES[op.value]), enumerable: true, writable: true, configurable: true });
    return doc;
  }
  if (op.kind === 'emptyList') {
    const lists = paths(doc, false).filter((p) => Array.isArray(parentOf(doc, [...p, 0])));
    if (lists.length) parentOf(doc, [...lists[op.at % lists.length], 0]).length = 0;
    return doc;
  }
  if (op.kind !== 'delete' && op.kind !== 'set') return doc;
  const all = paths(doc, op.shallow);
  if (!all.length) return VALUES[0];
  const p = all[op.at % all.length];
  const parent = parentOf(doc, p);
  const key = p[p.length - 1];
  if (op.kind === 'set') parent[key] = structuredClone(VALUES[op.value]);
  else if (Array.isArray(parent)) parent.splice(key as number, 1);
  else delete parent[key];
  return doc;
}

function applyToText(text: string, op: Op): string {
  switch (op.kind) {
    case 'truncate':
      return text.slice(0, Math.floor(text.length * op.frac));
    case 'bytes': {
      const at = Math.floor(text.length * op.frac);
      return text.slice(0, at) + Buffer.from(op.bytes).toString('latin1') + text.slice(at + op.bytes.length);
    }
    case 'numberLiteral': {
      // JSON.parse reads 1e999 as Infinity: a number no JSON.stringify can give back
      const literals = ['1e999', '-1e999', '1.7976931348623157e308', '-0', '4.5e-324'];
      const numbers = [...text.matchAll(/:(\d+)[,}\]]/g)];
      if (!numbers.length) return text;
      const m = numbers[op.at % numbers.length];
      const at = m.index! + 1;
      return text.slice(0, at) + literals[op.literal] + text.slice(at + m[1].length);
    }
    case 'deepText':
      // nesting written straight into the text: deeper than JSON.stringify could ever write
      return text.replace('"options":{', `"options":{"deep":${'['.repeat(op.depth)}${']'.repeat(op.depth)},`);
    default:
      return text;
  }
}

export function describePlan(plan: Plan): string {
  return `base ${plan.base}: ${plan.ops.map((o) => JSON.stringify(o)).join(', ')}`;
}
