// What every engine run reports while it runs, in one shape: the runners (check.ts,
// campaign.ts) lift each engine's own counters into it, and the CLI has one reporter for it.
export interface Progress {
  engine: 'explore' | 'fuzz' | 'chaos';
  scenario: string; // the scenario file
  index: number; // scenario number, from 0
  count: number; // scenarios in the command
  states: number; // explore: distinct states; random engines: worlds visited
  steps: number; // explore: transitions; random engines: model steps
  depth: number | null; // explore: the breadth-first depth reached
  runs: number; // random engines: runs finished (explore: 0)
  totalRuns: number | null; // random engines: runs this scenario will do at most (null: until the time is up)
  found: number; // properties violated so far in this scenario
  elapsedMs: number; // since the command started
  budgetMs: number | null; // the command's time budget
}
