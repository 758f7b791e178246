// What a runbook change did to safety: the violations the head makes newly reachable and the
// ones it removes. Pure: takes two results, returns the comparison and its renderings.
//
// Violations are matched by property and by the trace's shape (who did what, at which runbook
// step), never by text: node names, record counts and wording may change between the two
// files without the finding being a new one.
import { harmText } from './harm.js';
import type { PropertyStatus, RunResult, SuggestSearch, Suggestion, Violation } from './result.js';
import { formatSuggestionMarkdown } from './suggest-text.js';
import { traceRows } from './trace-view.js';
import { vacuousProperties } from './vacuity.js';
import { count } from './words.js';
import { isFingerprintBound } from './fingerprints.js';

export interface ShapedViolation {
  violation: Violation;
  shape: string[]; // one "actor event [step]" per event, nodes left out
}

export interface RunbookDiff {
  base: Side;
  head: Side;
  added: ShapedViolation[]; // reachable in head, not in base
  removed: ShapedViolation[]; // reachable in base, not in head
  kept: ShapedViolation[]; // in both (head's copy)
  // Properties that only the head holds vacuously (the change stopped them being put to the
  // test, e.g. by dropping the rollback), and the reverse. A warning: the exit code ignores it.
  newlyVacuous: PropertyStatus[];
  noLongerVacuous: PropertyStatus[];
  // A side whose search was cut by a bound proves nothing by absence: a removal seen there, or
  // a head with no new finding, is not a pass.
  conclusive: boolean;
}

export interface Side {
  file: string;
  name: string;
  verdict: RunResult['verdict'];
  complete: boolean;
  boundsHit: string[];
  states: number;
  violations: number;
  vacuous: string[];
}

export function traceShape(v: Violation): string[] {
  return traceRows(v)
    .slice(1)
    .map((r) => (r.step ? `${r.actor} ${r.type} [${r.step}]` : `${r.actor} ${r.type}`));
}

function keyOf(s: ShapedViolation): string {
  return `${s.violation.property}\u0000${s.shape.join('\u0001')}`;
}

function side(r: Diffable): Side {
  return {
    file: r.scenario.file,
    name: r.scenario.name,
    verdict: r.verdict,
    complete: r.complete,
    boundsHit: r.boundsHit,
    states: r.figures.states,
    violations: r.violations.length,
    vacuous: vacuousProperties(r).map((p) => p.name),
  };
}

// What a diff reads of a result: a file written before coverage or the point of no return had
// every field (serve diffs such files) still compares.
export type Diffable = Omit<RunResult, 'coverage' | 'pointOfNoReturn'>;

export function diffResults(base: Diffable, head: Diffable): RunbookDiff {
  const shaped = (r: Diffable) => r.violations.map((violation) => ({ violation, shape: traceShape(violation) }));
  // Multiset matching: two identical findings in head against one in base leave one new.
  const pool = new Map<string, number>();
  for (const b of shaped(base)) pool.set(keyOf(b), (pool.get(keyOf(b)) ?? 0) + 1);
  const added: ShapedViolation[] = [];
  const kept: ShapedViolation[] = [];
  for (const h of shaped(head)) {
    const left = pool.get(keyOf(h)) ?? 0;
    if (left > 0) {
      pool.set(keyOf(h), left - 1);
      kept.push(h);
    } else added.push(h);
  }
  const headPool = new Map<string, number>();
  for (const h of shaped(head)) headPool.set(keyOf(h), (headPool.get(keyOf(h)) ?? 0) + 1);
  const removed: ShapedViolation[] = [];
  for (const b of shaped(base)) {
    const left = headPool.get(keyOf(b)) ?? 0;
    if (left > 0) headPool.set(keyOf(b), left - 1);
    else removed.push(b);
  }
  const vacIn = (r: Diffable) => new Set(vacuousProperties(r).map((p) => p.name));
  const newlyVacuous = vacuousProperties(head).filter((p) => !vacIn(base).has(p.name));
  const noLongerVacuous = vacuousProperties(base).filter((p) => !vacIn(head).has(p.name) && head.properties.some((q) => q.name === p.name && q.status === 'holds'));
  return { base: side(base), head: side(head), added, removed, kept, newlyVacuous, noLongerVacuous, conclusive: base.complete && head.complete };
}

// What some run could do in base and no run can in head (a sometimes property: the upgrade can
// no longer finish, the rollback can no longer start). A head that is "safe" because its
// runbook stopped doing what it is for is a regression, not a pass.
export function lostInHead(d: RunbookDiff): PropertyStatus[] {
  return d.head.verdict === 'safe' ? d.newlyVacuous.filter((p) => p.kind === 'sometimes') : [];
}

// 1 when the head is newly unsafe, no run of it can do what a run of base could, or a bound kept
// the head's search from proving it is not; 0 otherwise. (2, bad input, is the CLI's.)
export function diffExitCode(d: RunbookDiff): 0 | 1 {
  return d.added.length > 0 || lostInHead(d).length > 0 || !d.head.complete ? 1 : 0;
}

export function headline(d: RunbookDiff): string {
  if (d.added.length > 0) return `the change makes ${d.added.length} unsafe state${d.added.length === 1 ? '' : 's'} newly reachable`;
  const fingerprints = d.head.boundsHit.filter(isFingerprintBound);
  if (!d.head.complete && fingerprints.length === d.head.boundsHit.length && fingerprints.length > 0) return `inconclusive: nothing new was found, but the head's search is no proof (${fingerprints[0]})`;
  if (!d.head.complete) return `inconclusive: the head's search stopped at a bound (${d.head.boundsHit.join(', ') || 'incomplete'}); nothing new was found in the part explored`;
  const lost = lostInHead(d);
  if (lost.length > 0) return `safe only because no run of head gets where base did: ${lost.map((p) => `${p.name} (${p.trigger})`).join(', ')}`;
  const vac = d.newlyVacuous.length ? `, but ${d.newlyVacuous.length} propert${d.newlyVacuous.length === 1 ? 'y is' : 'ies are'} no longer put to the test` : '';
  if (d.removed.length > 0) return `no new unsafe state; the change removes ${d.removed.length}${vac}`;
  return `no change in reachable unsafe states${vac}`;
}

// Another trace for the same property is still a new finding (it is a new way to get there),
// but saying so helps the reader see what moved.
function sameProperty(v: ShapedViolation, others: ShapedViolation[]): boolean {
  return others.some((o) => o.violation.property === v.violation.property);
}

const blastText = harmText;

function stepLines(v: Violation): string[] {
  return traceRows(v)
    .slice(1)
    .map((r) => {
      const mark = r.latent ? '  <- latent (a cache still hides it)' : r.manifest ? '  <- manifest' : '';
      // a step that moves nothing is still in the trace (it is what the runbook does), marked so
      // a reviewer does not look for its effect
      const nothing = r.changesNothing ? (r.changes.length ? '  <- changes nothing but the runbook\'s place' : ' (changes nothing)') : '';
      return `${String(r.index).padStart(3)}. ${r.actor.padEnd(11)} ${r.text}${r.changes.length ? `: ${r.changes.join('; ')}` : ''}${nothing}${mark}`;
    });
}

// "latent at step 3, manifest at step 5" for a violation a cache hid where it was found
function exposureText(v: Violation): string {
  const x = v.exposure;
  if (!x) return '';
  return `latent at step ${x.latentStep}${x.manifestStep !== null ? `, manifest at step ${x.manifestStep}` : ', not yet manifest'}`;
}

// "safe (vacuous: a, b)": the verdict never hides that some properties were not put to the test
function verdictText(s: Side): string {
  return s.vacuous.length ? `${s.verdict} (vacuous: ${s.vacuous.join(', ')})` : s.verdict;
}

export function formatDiffText(d: RunbookDiff): string {
  const out: string[] = [];
  out.push(`base ${d.base.file}: ${verdictText(d.base)}, ${count(d.base.violations, 'violation')}, ${count(d.base.states, 'state')}${d.base.complete ? '' : ' (bound hit)'}`);
  out.push(`head ${d.head.file}: ${verdictText(d.head)}, ${count(d.head.violations, 'violation')}, ${count(d.head.states, 'state')}${d.head.complete ? '' : ' (bound hit)'}`);
  out.push('', `${diffExitCode(d) ? 'FAIL' : 'ok  '} ${headline(d)}`);
  if (d.added.length) {
    out.push('', 'newly reachable in head:');
    for (const a of d.added) {
      const note = sameProperty(a, d.removed) ? ' (base reached it by another path)' : '';
      out.push(`  + ${a.violation.property} [${a.violation.category}]${note}: ${a.violation.detail}`);
      out.push(`    blast radius: ${blastText(a.violation)}`);
      if (a.violation.exposure) out.push(`    ${exposureText(a.violation)}`);
      out.push(...stepLines(a.violation).map((l) => `    ${l}`));
    }
  }
  if (d.removed.length) {
    out.push('', `no longer reachable in head${d.head.complete ? '' : ' (within the bound explored)'}:`);
    for (const r of d.removed) out.push(`  - ${r.violation.property} [${r.violation.category}]: ${r.violation.detail} (${count(r.shape.length, 'step')})`);
  }
  if (d.kept.length) out.push('', `still reachable in both: ${d.kept.map((k) => k.violation.property).join(', ')}`);
  if (d.newlyVacuous.length) {
    out.push('', 'newly vacuous in head (they hold only because what they guard against no longer happens):');
    for (const p of d.newlyVacuous) out.push(`  ~ ${p.name}: never reached: ${p.trigger}`);
  }
  if (d.noLongerVacuous.length) out.push('', `put to the test in head, vacuous in base: ${d.noLongerVacuous.map((p) => p.name).join(', ')}`);
  return out.join('\n');
}

// What `rollsafe suggest` found for the head, for the comment to say how to fix what broke.
export interface HeadFix {
  suggestion: Suggestion | null; // the top one
  search: SuggestSearch | null; // null: the head's own check had no verdict to fix
}

// command: how to run the comparison again (it names the base as REV:PATH when it came from
// git, so it works outside CI); reportUrl: where the full report of both results is; fix: the
// smallest edit that makes the head safe.
export function formatDiffMarkdown(d: RunbookDiff, command?: string, extra: { reportUrl?: string; fix?: HeadFix } = {}): string {
  const { reportUrl, fix } = extra;
  const code = (s: string) => `\`${s.replace(/`/g, "'")}\``;
  const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  const out: string[] = [];
  const mark = diffExitCode(d) ? (d.added.length || lostInHead(d).length ? '❌' : '⚠️') : d.newlyVacuous.length ? '⚠️' : '✅';
  out.push(`### ${mark} rollsafe: ${headline(d)}`, '');
  out.push('| | file | verdict | violations | states explored |', '|---|---|---|---|---|');
  for (const [label, s] of [['base', d.base], ['head', d.head]] as const) {
    out.push(`| ${label} | ${code(s.file)} | ${cell(verdictText(s))}${s.complete ? '' : ` (bound hit: ${cell(s.boundsHit.join(', '))})`} | ${s.violations} | ${s.states.toLocaleString('en-US')} |`);
  }
  if (reportUrl) out.push('', `[Full report](${reportUrl.replace(/[()\s]/g, encodeURIComponent)}): each violation as a timeline, coverage, where rollback stops being safe.`);
  if (d.added.length) {
    out.push('', `#### Newly reachable (${d.added.length})`);
    for (const a of d.added) {
      const v = a.violation;
      const note = sameProperty(a, d.removed) ? ' — base reached this property by another path' : '';
      out.push('', `**${code(v.property)}** (${v.category})${note}: ${v.detail}`, '', `> ${v.explanation}`, '', `Blast radius: **${blastText(v)}**.${v.exposure ? ` Harm ${exposureText(v)}.` : ''}`, '');
      out.push(`<details><summary>Shortest trace: ${count(a.shape.length, 'step')}</summary>`, '', '```', ...stepLines(v), '```', '', '</details>');
      if (fix?.suggestion) out.push('', `Fix: ${fix.suggestion.edits.map((e) => e.label).join('; and ')} (below).`);
    }
    if (fix) {
      // one suggestion makes every property hold: it is the fix of each new violation at once
      const text = formatSuggestionMarkdown(fix.suggestion, fix.search, d.head.file);
      if (text) out.push('', '#### How to fix it', '', text.trimEnd());
    }
  }
  if (d.removed.length) {
    out.push('', `#### No longer reachable (${d.removed.length})${d.head.complete ? '' : ' — within the bound explored'}`, '');
    for (const r of d.removed) out.push(`- ${code(r.violation.property)} (${r.violation.category}): ${r.violation.detail}`);
  }
  if (d.kept.length) {
    out.push('', `Still reachable in both: ${d.kept.map((k) => code(k.violation.property)).join(', ')}.`);
  }
  if (d.newlyVacuous.length) {
    out.push('', `#### ⚠️ Newly vacuous (${d.newlyVacuous.length})`, '', 'These hold in head only because what they guard against no longer happens in any explored run:', '');
    for (const p of d.newlyVacuous) out.push(`- ${code(p.name)}: never reached: ${p.trigger}`);
  }
  if (d.noLongerVacuous.length) out.push('', `Put to the test in head, vacuous in base: ${d.noLongerVacuous.map((p) => code(p.name)).join(', ')}.`);
  if (command) out.push('', `<sub>Reproduce: ${code(command)}</sub>`);
  return `${out.join('\n')}\n`;
}
