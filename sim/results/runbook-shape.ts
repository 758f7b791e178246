// The runbook's shape as a result carries it (RunResult.runbook): the phases, stages and steps
// of the runbook machine in runbook order, and its decide-rollback edges with their triggers
// and guards. Read off the same Graph `rollsafe graph` draws (graph.ts), so the report's
// diagram and the CLI's cannot disagree; names only, so a result grows by a few hundred bytes.
import { runbookMachineConfig } from '../../model/machine-config.js';
import type { CompiledScenario } from '../../model/types.js';
import { type Graph, machineGraph } from './graph.js';
import type { RunbookShape, ShapePhase } from './result.js';

export function runbookShape(s: CompiledScenario): RunbookShape {
  return shapeOf(machineGraph(runbookMachineConfig(s), s));
}

export function shapeOf(g: Graph): RunbookShape {
  const phases = g.states.map((phase): ShapePhase => {
    const name = phase.path as ShapePhase['name'];
    if (phase.children.length === 0) return { name };
    const stages = phase.children.map((stage) => ({
      name: stage.path.slice(phase.path.length + 1),
      label: stage.label,
      steps: stage.children.map((step) => step.path.slice(stage.path.length + 1)),
    }));
    return { name, stages };
  });
  // one line per decision: the same label from upgrading and from upgraded, to the rollback's
  // first step or (nothing to undo) straight to rolled-back, is said once
  const rollback: RunbookShape['rollback'] = [];
  for (const e of g.edges) {
    if (!e.rollback) continue;
    for (const label of e.labels) {
      const same = rollback.find((r) => r.label === label);
      if (!same) rollback.push({ from: [e.from], to: [e.to], label });
      else {
        if (!same.from.includes(e.from)) same.from.push(e.from);
        if (!same.to.includes(e.to)) same.to.push(e.to);
      }
    }
  }
  return { phases, rollback };
}
