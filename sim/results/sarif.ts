// SARIF 2.1.0 for code scanning (GitHub annotates a pull request's lines from it): one result
// per violation, at the line of the scenario file where the runbook step (or the fault
// declaration) that completes the violation is written, the trace as its message, each earlier
// step a related location the message links to, and the trace again as a code flow.
//
// Reads only the result format and the scenario texts the caller hands over (sources): the
// files themselves are read at the CLI edge.
import { createHash } from 'node:crypto';
import type { Location, Log, ReportingDescriptor, Result, ThreadFlowLocation } from 'sarif';
import { traceShape } from './diff.js';
import { harmText } from './harm.js';
import type { RunResult, TraceStep, Violation } from './result.js';
import { type Place, type ScenarioPlaces, scenarioPlaces } from './scenario-places.js';
import { eventText } from './trace-view.js';
import { VERSION } from './version.js';
import { count } from './words.js';
import { fingerprintCaveat } from './fingerprints.js';

export const SARIF_SCHEMA_URI = 'https://json.schemastore.org/sarif-2.1.0.json';
// Relative artifact URIs start at the folder the command ran in: in CI, the repository's root,
// where code scanning resolves them.
export const SRCROOT = '%SRCROOT%';

export interface SarifSource {
  uri: string; // the scenario file as a URI relative to the folder the command ran in
  text: string | null; // its text (null: it could not be read; results then point at the file alone)
}

export interface SarifOptions {
  // code scanning's category: runs of one category replace each other's alerts (check, merge;
  // diff/<head file>, one per runbook a pull request changes)
  category: string;
  commandLine: string;
  sources: (scenarioFile: string) => SarifSource;
  // diff: whether each head violation is new or was reachable in the base already
  baseline?: (v: Violation) => 'new' | 'unchanged';
}

// SARIF's message strings treat [text](id) as a link: brackets of ours are escaped (§3.11.6).
const esc = (s: string) => s.replace(/[\\[\]]/g, (c) => `\\${c}`);

function region(p: Place) {
  return { startLine: p.startLine, startColumn: p.startColumn, endLine: p.endLine, endColumn: p.endColumn };
}

function location(src: SarifSource, p: Place | null, message?: string, id?: number): Location {
  // an absolute URI (a file outside the folder the command ran in) takes no base (§3.4.4)
  const artifactLocation = /^[a-z][a-z0-9+.-]*:/i.test(src.uri) ? { uri: src.uri } : { uri: src.uri, uriBaseId: SRCROOT };
  const loc: Location = { physicalLocation: { artifactLocation } };
  if (p) loc.physicalLocation!.region = region(p);
  if (id !== undefined) loc.id = id;
  if (message !== undefined) loc.message = { text: message };
  return loc;
}

// The step that completes a violation: where its harm is done (the latent step when a cache
// hides it, else the last), or the latest operator step or fault before it; environment events
// (writes, a rotation completing) are not written in the runbook.
export function completingStep(v: Violation, places: ScenarioPlaces): { index: number; place: Place } | null {
  const end = v.exposure ? v.exposure.latentStep : v.trace.length - 1;
  for (let i = end; i >= 1; i--) {
    const place = places.ofEvent(v.trace[i]);
    if (place) return { index: i, place };
  }
  return null;
}

function stepLine(t: TraceStep): string {
  const who = t.event?.actor ?? 'initial';
  return `${who} ${eventText(t)}: ${t.changes.length ? t.changes.join('; ') : '(no visible change)'}`;
}

function fingerprint(v: Violation): string {
  return createHash('sha256').update(`${v.property}\u0000${traceShape(v).join('\u0001')}`).digest('hex').slice(0, 32);
}

function resultFor(r: RunResult, v: Violation, o: SarifOptions, places: ScenarioPlaces, ruleIndex: number): Result {
  const src = o.sources(r.scenario.file);
  const done = completingStep(v, places);
  const related: Location[] = [];
  const flow: ThreadFlowLocation[] = [];
  const lines = [`${esc(v.property)}: ${esc(v.detail)}`, `blast radius: ${esc(harmText(v))}`];
  if (v.exposure) {
    lines.push(`latent from step ${v.exposure.latentStep}: a cache still hides the harm; the runbook is unsafe from there`);
    if (v.exposure.manifestStep !== null) lines.push(`manifest at step ${v.exposure.manifestStep}: ${esc(v.exposure.manifestDetail ?? '')}`);
  }
  lines.push(`shortest trace (${count(v.trace.length - 1, 'step')}), in ${esc(r.scenario.file)} (${esc(r.engine)}):`);
  for (let i = 1; i < v.trace.length; i++) {
    const t = v.trace[i];
    const p = places.ofEvent(t);
    const text = `step ${i} (${p?.what ?? 'not written in the runbook'}): ${stepLine(t)}`;
    let link = '';
    if (p && i !== done?.index) {
      related.push(location(src, p, text, i));
      link = ` [line ${p.startLine}](${i})`;
    }
    const mark = i === done?.index ? '  <- here' : '';
    const latent = v.exposure?.latentStep === i ? '  <- latent' : v.exposure?.manifestStep === i ? '  <- manifest' : i === v.trace.length - 1 && !v.exposure ? '  <- violation' : '';
    lines.push(`${String(i).padStart(3)}. ${esc(stepLine(t))}${link}${mark}${latent}`);
    if (p) flow.push({ location: location(src, p, text), executionOrder: i, nestingLevel: 0 });
  }
  if (v.replay) lines.push(`re-run the run that found it: ${esc(v.replay.command)}`);
  const expected = r.expect?.fires.includes(v.property) ?? false;
  const state = o.baseline?.(v);
  const res: Result = {
    ruleId: v.property,
    ruleIndex,
    level: expected ? 'note' : state === 'unchanged' ? 'warning' : 'error',
    message: { text: lines.join('\n') },
    locations: [location(src, done?.place ?? places.ofKey(['runbook']))],
    partialFingerprints: { 'rollsafeTrace/v1': fingerprint(v) },
    properties: { scenario: r.scenario.name, engine: r.engine, category: v.category, harm: v.harm, expected, completingStep: done?.index ?? null },
  };
  if (related.length) res.relatedLocations = related;
  if (flow.length) res.codeFlows = [{ threadFlows: [{ locations: flow }] }];
  if (state) res.baselineState = state;
  return res;
}

export function toSarif(results: RunResult[], o: SarifOptions): Log {
  // one rule per property any result checked, by name: the ruleIndex of each result
  const rulesByName = new Map<string, ReportingDescriptor>();
  for (const r of results) {
    for (const p of r.properties) {
      if (rulesByName.has(p.name)) continue;
      rulesByName.set(p.name, {
        id: p.name,
        name: p.name,
        shortDescription: { text: p.explanation },
        fullDescription: { text: `${p.explanation} (${p.kind} property, ${p.category}; it can fail once ${p.trigger})` },
        defaultConfiguration: { level: p.category === 'safety' ? 'error' : 'warning' },
        properties: { tags: ['rollsafe', p.category], kind: p.kind },
      });
    }
  }
  const rules = [...rulesByName.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const index = new Map(rules.map((r, i) => [r.id, i]));
  const out: Result[] = [];
  for (const r of results) {
    const places = scenarioPlaces(o.sources(r.scenario.file).text);
    for (const v of r.violations) out.push(resultFor(r, v, o, places, index.get(v.property) ?? -1));
  }
  // a fingerprint search proves nothing safe: no alert must not read as a clean bill, so each
  // such run is a warning of the invocation (code scanning lists these with the tool's status)
  const notes = results.flatMap((r) =>
    r.fingerprints ? [{ level: 'warning' as const, message: { text: `${r.scenario.file}: ${r.verdict}: ${fingerprintCaveat(r.fingerprints, r.violations.length)}` }, descriptor: { id: 'fingerprints' } }] : [],
  );
  return {
    $schema: SARIF_SCHEMA_URI,
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'rollsafe', version: VERSION, semanticVersion: VERSION, rules } },
        automationDetails: { id: `rollsafe/${o.category}/` },
        originalUriBaseIds: { [SRCROOT]: { description: { text: 'the folder rollsafe ran in (in CI, the repository root)' } } },
        columnKind: 'utf16CodeUnits',
        invocations: [{ commandLine: o.commandLine, executionSuccessful: true, ...(notes.length ? { toolExecutionNotifications: notes } : {}) }],
        results: out,
      },
    ],
  };
}
