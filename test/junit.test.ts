import { describe, expect, test } from 'vitest';
import { check } from '../sim/check.js';
import { escapeAttr, escapeText, toJUnit } from '../sim/results/junit.js';
import type { RunResult } from '../sim/results/result.js';

// A small XML reader, enough to hold the output to the JUnit schema: elements, attributes,
// text, entity references; anything else (unclosed tags, stray '<' or '&') is an error.
interface El {
  name: string;
  attrs: Record<string, string>;
  children: El[];
  text: string;
}
function unescape(s: string): string {
  return s.replace(/&(#\d+|lt|gt|amp|quot|apos);/g, (_, e: string) => (e[0] === '#' ? String.fromCharCode(Number(e.slice(1))) : { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" }[e]!));
}
function parseXml(xml: string): El {
  let i = 0;
  const fail = (m: string) => {
    throw new Error(`${m} at ${i}: ${xml.slice(i, i + 40)}`);
  };
  if (xml.startsWith('<?xml')) i = xml.indexOf('?>') + 2;
  const ws = () => {
    while (/\s/.test(xml[i] ?? '')) i++;
  };
  const text = (s: string) => {
    if (/[<]|&(?!(#\d+|lt|gt|amp|quot|apos);)/.test(s)) fail('unescaped character in text');
    return unescape(s);
  };
  const element = (): El => {
    if (xml[i] !== '<') fail('expected <');
    const m = /^<([A-Za-z][\w.-]*)/.exec(xml.slice(i));
    if (!m) fail('bad tag name');
    i += m![0].length;
    const el: El = { name: m![1], attrs: {}, children: [], text: '' };
    for (;;) {
      ws();
      if (xml.startsWith('/>', i)) {
        i += 2;
        return el;
      }
      if (xml[i] === '>') {
        i++;
        break;
      }
      const a = /^([A-Za-z][\w.-]*)="([^"]*)"/.exec(xml.slice(i));
      if (!a) fail('bad attribute');
      if (a![1] in el.attrs) fail('duplicate attribute');
      el.attrs[a![1]] = text(a![2]);
      i += a![0].length;
    }
    for (;;) {
      const lt = xml.indexOf('<', i);
      if (lt < 0) fail('unclosed element');
      el.text += text(xml.slice(i, lt));
      i = lt;
      if (xml.startsWith(`</${el.name}>`, i)) {
        i += el.name.length + 3;
        return el;
      }
      if (xml.startsWith('</', i)) fail(`mismatched close of ${el.name}`);
      el.children.push(element());
    }
  };
  ws();
  const root = element();
  ws();
  if (i !== xml.length) fail('content after the root element');
  return root;
}

// The common (Jenkins junit-10.xsd) JUnit schema: allowed attributes, required ones, children;
// plus testcase@file, which test reporters (pytest's xunit family, GitLab, GitHub's test-report
// actions) read to link and annotate the file a case tests.
const SCHEMA: Record<string, { attrs: string[]; required: string[]; children: string[]; numeric: string[] }> = {
  testsuites: { attrs: ['name', 'time', 'tests', 'failures', 'disabled', 'errors'], required: [], children: ['testsuite'], numeric: ['time', 'tests', 'failures', 'disabled', 'errors'] },
  testsuite: { attrs: ['name', 'tests', 'failures', 'errors', 'time', 'disabled', 'skipped', 'timestamp', 'hostname', 'id', 'package'], required: ['name', 'tests'], children: ['properties', 'testcase', 'system-out', 'system-err'], numeric: ['tests', 'failures', 'errors', 'time', 'disabled', 'skipped'] },
  properties: { attrs: [], required: [], children: ['property'], numeric: [] },
  property: { attrs: ['name', 'value'], required: ['name', 'value'], children: [], numeric: [] },
  testcase: { attrs: ['name', 'assertions', 'time', 'classname', 'status', 'file'], required: ['name'], children: ['skipped', 'error', 'failure', 'system-out', 'system-err'], numeric: ['time', 'assertions'] },
  failure: { attrs: ['message', 'type'], required: [], children: [], numeric: [] },
  skipped: { attrs: ['message'], required: [], children: [], numeric: [] },
  'system-out': { attrs: [], required: [], children: [], numeric: [] },
};
function validate(el: El, path = el.name): void {
  const rule = SCHEMA[el.name];
  expect(rule, `${path}: element not in the schema`).toBeDefined();
  for (const a of Object.keys(el.attrs)) expect(rule.attrs, `${path}@${a} not allowed`).toContain(a);
  for (const a of rule.required) expect(el.attrs, `${path}@${a} required`).toHaveProperty(a);
  for (const a of rule.numeric) if (a in el.attrs) expect(el.attrs[a], `${path}@${a}`).toMatch(/^\d+(\.\d+)?$/);
  for (const c of el.children) {
    expect(rule.children, `${path} > ${c.name} not allowed`).toContain(c.name);
    validate(c, `${path} > ${c.name}`);
  }
  if (el.name === 'testsuite') {
    const cases = el.children.filter((c) => c.name === 'testcase');
    expect(Number(el.attrs.tests)).toBe(cases.length);
    expect(Number(el.attrs.failures)).toBe(cases.filter((c) => c.children.some((x) => x.name === 'failure')).length);
    expect(Number(el.attrs.skipped)).toBe(cases.filter((c) => c.children.some((x) => x.name === 'skipped')).length);
  }
}

describe('JUnit XML', () => {
  const results: RunResult[] = check('scenarios/bao-kms-provider');
  const xml = toJUnit(results, { name: 'rollsafe check', resultFile: 'out/results.json' });
  const root = parseXml(xml);

  test('validates against the common JUnit schema: one suite per scenario, one case per scenario x property', () => {
    expect(root.name).toBe('testsuites');
    validate(root);
    const suites = root.children;
    expect(suites.map((s) => s.attrs.name)).toEqual(results.map((r) => r.scenario.name));
    suites.forEach((s, i) => {
      expect(s.children.filter((c) => c.name === 'testcase').map((c) => c.attrs.name)).toEqual(results[i].properties.map((p) => p.name));
    });
    expect(Number(root.attrs.tests)).toBe(results.reduce((a, r) => a + r.properties.length, 0));
    suites.forEach((s, i) => {
      for (const c of s.children.filter((x) => x.name === 'testcase')) expect(c.attrs.file).toBe(results[i].scenario.file);
    });
    // every bao scenario meets its expectation: expected violations pass, with the trace as output
    expect(root.attrs.failures).toBe('0');
    const rot = suites.find((s) => s.attrs.name === 'bao-kms-provider-rollback-after-rotation')!;
    const oneWay = rot.children.find((c) => c.attrs.name === 'no-one-way-rollback')!;
    expect(oneWay.attrs.classname).toBe('rollsafe.explore.bao-kms-provider-rollback-after-rotation');
    const out = oneWay.children.find((c) => c.name === 'system-out')!.text;
    expect(out).toContain('expected violation found');
    expect(out).toMatch(/shortest trace \(31 steps\)/);
    expect(out).toMatch(/replay this trace step by step: rollsafe replay out\/results\.json --violation \d+/);
  });

  test('an unexpected violation is a <failure> carrying the trace and the replay command', () => {
    const r = structuredClone(results.find((x) => x.scenario.name === 'bao-kms-provider-no-key-id-check')!);
    r.expect = null; // nobody expects it now
    r.violations[0].detail = 'nodes <disagree> & "quote" \'apos\'';
    r.violations[0].replay = { command: 'rollsafe chaos x.yaml --seed 1 --run 5 --max-depth 80 --max-faults 2', token: { seed: 1, run: 5 }, foundLength: 9, minimal: true };
    const doc = parseXml(toJUnit([r], { name: 'rollsafe chaos', resultFile: 'r.json' }));
    validate(doc);
    const c = doc.children[0].children.find((x) => x.attrs.name === 'key-id-agreement')!;
    const f = c.children.find((x) => x.name === 'failure')!;
    expect(f.attrs.type).toBe('violation');
    expect(f.attrs.message).toBe('key-id-agreement: nodes <disagree> & "quote" \'apos\'');
    expect(f.text).toContain('re-run the campaign run that found it: rollsafe chaos x.yaml --seed 1 --run 5');
    expect(f.text).toContain('replay this trace step by step: rollsafe replay r.json --violation 1');
    expect(f.text).toMatch(/1\. operator +begin/);
    expect(doc.attrs.failures).toBe('1');
  });

  test('an expected violation that was not found is a failure of type missed', () => {
    const r = structuredClone(results.find((x) => x.scenario.name === 'bao-kms-provider-upgrade-during-rotation')!);
    r.violations = [];
    const doc = parseXml(toJUnit([r], { name: 't' }));
    validate(doc);
    const f = doc.children[0].children.find((x) => x.attrs.name === 'no-unknown-key-id-decrypt')!.children[0];
    expect(f.attrs).toEqual({ message: 'expected no-unknown-key-id-decrypt to fire; explore did not find it', type: 'missed' });
  });

  test('escaping', () => {
    expect(escapeAttr('a<b>&"c\'\nd')).toBe('a&lt;b&gt;&amp;&quot;c&apos;&#10;d');
    expect(escapeText('x < y && z\u0001')).toBe('x &lt; y &amp;&amp; z');
    expect(() => parseXml('<testsuites><testsuite name="a & b" tests="0"/></testsuites>')).toThrow(/unescaped/);
  });
});
