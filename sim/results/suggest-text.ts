// Renderings of `rollsafe suggest`'s answer, from the result format only: for the terminal,
// and as Markdown for a pull-request comment (`rollsafe diff --markdown` shows the top one).
import type { RunResult, SuggestSearch, Suggestion } from './result.js';
import { summaryLine } from './text.js';
import { count } from './words.js';

// What the class means to a reader, once per suggestion.
function classNote(s: Suggestion): string {
  if (s.class === 'assumption') return 'safe under a stated assumption about the environment, not by a change to the runbook';
  if (s.class === 'refusal') return 'safe only because the runbook then refuses to do what it did: nothing else makes it safe';
  return 'a change to the runbook';
}

export function editsText(s: Suggestion): string {
  return s.edits.map((e) => e.label).join('; and ');
}

// "searched 26 candidate edits in 302 sets of up to 2 edits: 297 refuted by replaying a
// counterexample, 2 unsafe, 2 checked in full ..."
export function searchText(x: SuggestSearch): string {
  const n = (v: number) => v.toLocaleString('en-US');
  const parts = [`${n(x.refuted)} refuted by replaying an earlier counterexample`, `${n(x.unsafe)} shown unsafe by a search`, `${n(x.fullChecks)} checked in full`];
  if (x.invalid) parts.push(`${n(x.invalid)} refused by the scenario loader`);
  if (x.duplicate) parts.push(`${n(x.duplicate)} the same scenario as another set`);
  if (x.inconclusive) parts.push(`${n(x.inconclusive)} cut by a bound of the scenario`);
  const sizes = x.setsBySize.map((n, i) => `${n.toLocaleString('en-US')} of ${count(i + 1, 'edit')}`).join(', ');
  const cut = x.complete ? '' : ` · search cut (${x.boundsHit.join(', ')}): sets not tried may hold smaller or other fixes`;
  return `searched ${count(x.candidates, 'candidate edit')} in ${count(x.sets, 'set')} of up to ${count(x.maxEdits, 'edit')} (${sizes}): ${parts.join(', ')} · ${count(x.states, 'state')} explored${cut}`;
}

export function catalogText(x: SuggestSearch): string {
  return Object.entries(x.catalog)
    .map(([kind, n]) => `${n} ${kind}`)
    .join(', ');
}

const indent = (text: string, pad: string) =>
  text
    .trimEnd()
    .split('\n')
    .map((l) => `${pad}${l}`)
    .join('\n');

export function formatSuggestion(s: Suggestion): string {
  const out = [`  ${s.rank}. ${s.class} (${count(s.edits.length, 'edit')}): ${editsText(s)}`];
  out.push(`     ${classNote(s)}`);
  out.push(`     fixes: ${s.fixes.join(', ')} · the patched file checks safe over ${count(s.figures.states, 'state')}${s.vacuous.length ? ` (vacuous: ${s.vacuous.join(', ')})` : ''}`);
  for (const n of s.notes) out.push(`     note: ${n}`);
  out.push(`     verify: ${s.verify}`);
  out.push(indent(s.patch, '     '));
  return out.join('\n');
}

// The whole answer of `suggest` for one scenario. `outcome` as sim/suggest says it.
export function formatSuggest(r: RunResult): string {
  const head = `${r.scenario.file} (${r.scenario.name})\n     ${summaryLine(r)}`;
  if (r.verdict === 'safe') return `ok   ${head}\n     nothing to fix: every property holds`;
  if (r.verdict === 'inconclusive') return `FAIL ${head}\n     the check of the scenario itself was cut (${r.boundsHit.join(', ')}): there is no verdict to fix; raise the bound or the budget`;
  const x = r.suggestSearch!;
  const items = r.suggestions ?? [];
  const fired = [...new Set(r.violations.map((v) => v.property))].join(', ');
  const out = [`${items.length ? 'fix ' : 'FAIL'} ${head}`, `     violated: ${fired}`, `     ${searchText(x)}`];
  if (items.length === 0) {
    out.push(`     no set of up to ${count(x.maxEdits, 'edit')} makes every property hold without a new violation and with a run that finishes the upgrade${x.complete ? '' : ' (in the part of the search the budget allowed)'}`);
    out.push(`     tried: ${catalogText(x) || 'no candidate edit applies to this runbook'}`);
    out.push(x.maxEdits < 3 ? `     try --max-edits ${x.maxEdits + 1}, or change the system itself (releases, records): the catalog edits only the runbook` : '     the catalog edits only the runbook: the fix may be in the system (releases, records)');
    return out.join('\n');
  }
  const refused = x.refusalsNotShown ? `; ${count(x.refusalsNotShown, 'more set makes', 'more sets make')} it safe only by refusing to run (not shown)` : '';
  out.push(`     ${count(items.length, 'minimal edit set')} make${items.length === 1 ? 's' : ''} every property hold${refused}:`, '');
  out.push(items.map(formatSuggestion).join('\n\n'));
  return out.join('\n');
}

// The top suggestion, for a pull-request comment: what to change, the patch, how to check it.
export function formatSuggestionMarkdown(s: Suggestion | null, x: SuggestSearch | null, file: string): string {
  const code = (t: string) => `\`${t.replace(/`/g, "'")}\``;
  if (!s) {
    if (!x) return '';
    return `No set of up to ${count(x.maxEdits, 'edit')} to ${code(file)} makes it safe${x.complete ? '' : ' in the part of the search the time allowed'} (${count(x.sets, 'set')} of ${count(x.candidates, 'candidate edit')} tried).\n`;
  }
  const fence = s.patch.includes('```') ? '~~~~' : '```';
  const out = [`**${s.class === 'fix' ? 'Smallest fix' : s.class === 'assumption' ? 'Smallest fix, under an assumption' : 'Only safe by refusing'}** (${count(s.edits.length, 'edit')}): ${s.edits.map((e) => e.label).join('; and ')}.`, ''];
  if (s.class !== 'fix') out.push(`> ${classNote(s)}.`, '');
  for (const n of s.notes) out.push(`> ${n}.`, '');
  out.push(`It makes ${s.fixes.map(code).join(', ')} hold; the patched file checks safe over ${count(s.figures.states, 'state')}.`, '');
  out.push(`${fence}diff`, s.patch.trimEnd(), fence, '', `Verify: ${code(s.verify)}`);
  return `${out.join('\n')}\n`;
}
