// The runbook graph (graph.ts) as text: Mermaid's stateDiagram-v2 (GitHub renders it in
// Markdown) and Graphviz DOT (rendered to SVG offline by graph-command.ts). Deterministic: the
// same scenario gives the same bytes.
import type { Graph, GraphState } from './graph.js';

// Mermaid ids are [^:\s\-{]+ and '#' starts a comment: every state gets an id made of word
// characters only, one-to-one with its path ('_' -> '_0', '-' -> '_1', '.' -> '__').
export function mermaidId(path: string): string {
  return `s_${path.replace(/[_.-]/g, (c) => (c === '_' ? '_0' : c === '-' ? '_1' : '__'))}`;
}

// Mermaid ends a label at ':' or ';' and a quoted name at '"'; '#' would start an entity code.
const mermaidText = (s: string) => s.replace(/[:;#"\n{}]/g, ' ').replace(/\s+/g, ' ').trim();

function leaves(st: GraphState): string[] {
  return st.children.length ? st.children.flatMap(leaves) : [st.path];
}

function all(states: GraphState[]): GraphState[] {
  return states.flatMap((s) => [s, ...all(s.children)]);
}

export function toMermaid(g: Graph): string {
  // the front matter is YAML, read before the diagram's grammar: a JSON string is valid there
  const out = ['---', `title: ${JSON.stringify(g.title.replace(/\s+/g, ' '))}`, '---', 'stateDiagram-v2'];
  const state = (st: GraphState, indent: string) => {
    const id = mermaidId(st.path);
    if (st.children.length === 0) {
      out.push(`${indent}state "${mermaidText(st.label)}" as ${id}`);
      for (const line of [...st.lines, ...(st.bad.length ? [`violates ${st.bad.join(', ')}`] : [])]) out.push(`${indent}${id} : ${mermaidText(line)}`);
      return;
    }
    out.push(`${indent}state "${mermaidText([st.label, ...st.lines].join(', '))}" as ${id} {`);
    for (const c of st.children) state(c, `${indent}  `);
    out.push(`${indent}}`);
  };
  for (const st of g.states) state(st, '  ');
  out.push(`  [*] --> ${mermaidId(g.initial)}`);
  // what the graph says once (events possible anywhere, a bound hit) hangs off its first state;
  // a note runs to 'end note', so only that line is kept out of it
  if (g.notes.length && g.states.length) {
    out.push(`  note right of ${mermaidId(g.states[0].path)}`, ...g.notes.map((n) => `    ${n.replace(/\n/g, ' ').replace(/end note/gi, 'end-note')}`), '  end note');
  }
  for (const e of g.edges) out.push(`  ${mermaidId(e.from)} --> ${mermaidId(e.to)} : ${mermaidText(e.labels.join(' / '))}`);
  const bad = all(g.states).filter((s) => s.bad.length).map((s) => mermaidId(s.path));
  if (bad.length) {
    out.push('  classDef violating fill:#fde2e2,stroke:#c0392b,color:#7b241c');
    out.push(`  class ${bad.join(',')} violating`);
  }
  return `${out.join('\n')}\n`;
}

// DOT's quoted strings: backslash and quote escaped, a line break is \n.
const q = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;

export function toDot(g: Graph): string {
  const out = [
    `digraph ${q(g.id)} {`,
    '  compound=true;',
    '  rankdir=TB;',
    `  label=${q([g.title, ...g.notes].join('\n'))};`,
    '  labelloc=t;',
    '  fontname="Helvetica";',
    '  node [shape=box, style=rounded, fontname="Helvetica", fontsize=11];',
    '  edge [fontname="Helvetica", fontsize=9];',
    '  "[*]" [shape=circle, style=filled, fillcolor=black, label="", width=0.2];',
  ];
  const byPath = new Map(all(g.states).map((s) => [s.path, s]));
  const state = (st: GraphState, indent: string) => {
    if (st.children.length === 0) {
      const bad = st.bad.length ? [`violates ${st.bad.join(', ')}`] : [];
      const color = st.bad.length ? ', color="#c0392b", fontcolor="#7b241c", penwidth=2' : '';
      out.push(`${indent}${q(st.path)} [label=${q([st.label, ...st.lines, ...bad].join('\n'))}${color}];`);
      return;
    }
    out.push(`${indent}subgraph ${q(`cluster_${st.path}`)} {`);
    out.push(`${indent}  label=${q([st.label, ...st.lines].join('\n'))};`);
    out.push(`${indent}  style=rounded;`);
    for (const c of st.children) state(c, `${indent}  `);
    out.push(`${indent}}`);
  };
  for (const st of g.states) state(st, '  ');
  out.push(`  "[*]" -> ${q(g.initial)};`);
  // an edge from or to a compound state is drawn from its first leaf, clipped at its cluster
  const end = (path: string, side: 'ltail' | 'lhead') => {
    const st = byPath.get(path);
    if (!st || st.children.length === 0) return { node: path, attr: '' };
    return { node: leaves(st)[0], attr: `, ${side}=${q(`cluster_${path}`)}` };
  };
  for (const e of g.edges) {
    const a = end(e.from, 'ltail');
    const b = end(e.to, 'lhead');
    const style = e.rollback ? ', color="#b9770e", fontcolor="#b9770e", style=dashed' : '';
    out.push(`  ${q(a.node)} -> ${q(b.node)} [label=${q(e.labels.join('\n'))}${a.attr}${b.attr}${style}];`);
  }
  out.push('}');
  return `${out.join('\n')}\n`;
}
