// JUnit XML for CI systems: one <testsuite> per scenario, one <testcase> per checked property.
// Follows the common (Jenkins) JUnit schema: testsuites > testsuite(name, tests, failures,
// errors, skipped, time) > properties?, testcase(name, classname, file, time) > failure(message,
// type)? | skipped(message)?, system-out?. A failing case carries the counterexample trace and
// how to replay it; a property that held only vacuously is skipped (CI shows it as a warning),
// or a failure when expect.vacuous pins the vacuous properties and does not name it.
import type { RunResult, Violation } from './result.js';
import { formatViolation } from './text.js';
import { vacuousProperties } from './vacuity.js';
import { count } from './words.js';
import { fingerprintShort, probabilityText } from './fingerprints.js';

export interface JUnitOptions {
  name: string; // e.g. "rollsafe chaos"
  resultFile?: string; // the --json file, for `rollsafe replay` commands
  // the scenario file as test reporters should link it (default: as the result names it)
  fileOf?: (scenarioFile: string) => string;
}

interface Case {
  name: string;
  classname: string;
  time: number;
  failure?: { message: string; type: string; text: string };
  skipped?: string; // message
  out?: string;
}

// XML 1.0 forbids most control characters even when escaped.
function clean(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '');
}
export function escapeAttr(s: string): string {
  return clean(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;').replace(/\n/g, '&#10;').replace(/\r/g, '&#13;').replace(/\t/g, '&#9;');
}
export function escapeText(s: string): string {
  return clean(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

const secs = (ms: number) => (ms / 1000).toFixed(3);

function replayLines(v: Violation, index: number, o: JUnitOptions): string {
  const lines: string[] = [];
  if (v.replay) lines.push(`re-run the campaign run that found it: ${v.replay.command}`);
  if (o.resultFile) lines.push(`replay this trace step by step: rollsafe replay ${o.resultFile} --violation ${index}`);
  return lines.join('\n');
}

function casesFor(r: RunResult, firstIndex: number, o: JUnitOptions): Case[] {
  const fires = r.expect?.fires ?? [];
  const classname = `rollsafe.${r.engine}.${r.scenario.name}`;
  const perCase = r.properties.length > 0 ? r.figures.elapsedMs / r.properties.length : 0;
  return r.properties.map((p) => {
    const vi = r.violations.findIndex((v) => v.property === p.name);
    const v = vi >= 0 ? r.violations[vi] : undefined;
    const c: Case = { name: p.name, classname, time: perCase };
    if (r.figures.transitions === 0) {
      c.failure = { type: 'vacuous', message: `${r.engine} explored nothing: no verdict on ${p.name}`, text: r.boundsHit.join(', ') };
    } else if (v) {
      const text = `${formatViolation(v, vi + 1)}\n\n${replayLines(v, firstIndex + vi, o)}`;
      if (fires.includes(p.name)) c.out = `expected violation found (the scenario's expect block names it)\n${text}`;
      else c.failure = { type: 'violation', message: `${p.name}: ${v.detail}`, text };
    } else if (fires.includes(p.name)) {
      c.failure = { type: 'missed', message: `expected ${p.name} to fire; ${r.engine} did not find it`, text: `bounds: ${r.boundsHit.join(', ') || 'none'}` };
    } else if (p.status === 'not-applicable') {
      c.out = `not applicable: nothing in this scenario could make ${p.name} fail`;
    } else if (p.status === 'vacuous') {
      const message = p.kind === 'sometimes' ? `${p.name}: no explored run gets there (${p.trigger})` : `${p.name} held only vacuously: no run reached its trigger (${p.trigger})`;
      // a sometimes property never reached fails unless pinned: the runbook cannot do what it names
      const unpinned = r.expect?.vacuous ? !r.expect.vacuous.includes(p.name) : p.kind === 'sometimes' && r.engine === 'explore' && r.verdict === 'safe';
      if (unpinned) c.failure = { type: 'unexpected-vacuity', message, text: 'expect.vacuous does not name it' };
      else c.skipped = message;
    } else if (r.expect?.vacuous?.includes(p.name) && p.status === 'holds') {
      c.failure = { type: 'reached', message: `expected ${p.name} to hold vacuously, but its trigger was reached (${p.trigger})`, text: 'expect.vacuous names it' };
    } else if (r.fingerprints?.notChecked.includes(p.name) && p.status === 'unknown') {
      c.failure = { type: 'not-checked', message: `${p.name} is not checked by a fingerprint search (it needs the whole state graph, which that search does not keep)`, text: `bounds hit: ${r.boundsHit.join(', ')}` };
    } else if (r.engine === 'explore' && p.status === 'unknown') {
      c.failure = { type: 'inconclusive', message: `a bound cut the search before ${p.name} could be shown to hold`, text: `bounds hit: ${r.boundsHit.join(', ')}` };
    } else if (r.engine !== 'explore') {
      c.out = `not violated in this campaign (${count(r.figures.transitions, 'step')}; a random campaign is not a proof)`;
    } else if (r.fingerprints) {
      c.out = `held in every state the fingerprint search reached; a fingerprint collision (probability ≤ ${probabilityText(r.fingerprints.collisionProbability)}) may have hidden states, so this is not a proof`;
    }
    return c;
  });
}

export function toJUnit(results: RunResult[], o: JUnitOptions): string {
  const suites: string[] = [];
  let tests = 0;
  let failures = 0;
  let time = 0;
  let index = 1; // violations are numbered across the whole result file, as `replay --violation` reads them
  for (const r of results) {
    const cases = casesFor(r, index, o);
    index += r.violations.length;
    const f = cases.filter((c) => c.failure).length;
    const skipped = cases.filter((c) => c.skipped !== undefined).length;
    tests += cases.length;
    failures += f;
    time += r.figures.elapsedMs;
    const props = [
      ['engine', r.engine],
      ['scenario-file', r.scenario.file],
      ['verdict', r.verdict],
      ['seed', r.seed === null ? '' : String(r.seed)],
      ['bounds-hit', r.boundsHit.join(', ')],
      ...(r.fingerprints ? [['fingerprints', `${fingerprintShort(r.fingerprints)}; not a proof of safety`]] : []),
      ['vacuous', vacuousProperties(r).map((p) => p.name).join(', ')],
    ];
    const lines = [
      `  <testsuite name="${escapeAttr(r.scenario.name)}" tests="${cases.length}" failures="${f}" errors="0" skipped="${skipped}" time="${secs(r.figures.elapsedMs)}">`,
      '    <properties>',
      ...props.map(([k, v]) => `      <property name="${escapeAttr(k)}" value="${escapeAttr(v)}"/>`),
      '    </properties>',
    ];
    // `file` is what test reporters (GitHub test-report actions, GitLab, Jenkins) link and annotate
    const file = escapeAttr(o.fileOf ? o.fileOf(r.scenario.file) : r.scenario.file);
    for (const c of cases) {
      const open = `    <testcase name="${escapeAttr(c.name)}" classname="${escapeAttr(c.classname)}" file="${file}" time="${secs(c.time)}"`;
      if (!c.failure && !c.out && c.skipped === undefined) {
        lines.push(`${open}/>`);
        continue;
      }
      lines.push(`${open}>`);
      if (c.failure) lines.push(`      <failure message="${escapeAttr(c.failure.message)}" type="${escapeAttr(c.failure.type)}">${escapeText(c.failure.text)}</failure>`);
      if (c.skipped !== undefined) lines.push(`      <skipped message="${escapeAttr(c.skipped)}"/>`);
      if (c.out) lines.push(`      <system-out>${escapeText(c.out)}</system-out>`);
      lines.push('    </testcase>');
    }
    lines.push('  </testsuite>');
    suites.push(lines.join('\n'));
  }
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${escapeAttr(o.name)}" tests="${tests}" failures="${failures}" errors="0" time="${secs(time)}">`,
    ...suites,
    '</testsuites>',
    '',
  ].join('\n');
}
