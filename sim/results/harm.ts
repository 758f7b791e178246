// A violation's blast radius in words, by what its property harms (model/properties-common.ts,
// HARMS): "1,200 of 1,200 records unreadable" only where records are what is harmed. The CLI,
// the diff and the report all say it with this one function.
import type { Harm } from '../../model/properties-common.js';
import { count } from './words.js';

export interface HarmView {
  harm?: Harm; // absent in results written before it existed: read as records-unreadable
  blast: { recordsAffected: number; recordsTotal: number; nodes: string[] };
}

const n = (x: number) => x.toLocaleString('en-US');

export function harmText(v: HarmView): string {
  const { recordsAffected: a, recordsTotal: t, nodes } = v.blast;
  const list = nodes.join(', ');
  const records = `${n(a)} of ${count(t, 'record')}`;
  switch (v.harm ?? 'records-unreadable') {
    case 'records-unreadable':
      return `${records} unreadable${nodes.length ? ` on ${list}` : ''}`;
    case 'reads-refused':
      return `reads of ${records} refused${nodes.length ? ` by ${list}` : ''}`;
    case 'nodes-disagree':
      return `${nodes.length ? list : 'the nodes'} disagree${a > 0 ? `; ${records} involved` : ''}`;
    case 'service-down':
      return `no node serving${nodes.length ? `: ${list} down` : ''}; ${records} out of reach`;
    case 'runbook-stuck':
      return 'the runbook can no longer end; no record is harmed by that alone';
    case 'unsupported-fleet':
      return `${nodes.length ? list : 'the fleet'} left in a combination the vendor does not support${a > 0 ? `; ${records} at risk` : ''}`;
  }
}
