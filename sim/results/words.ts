// Counts in output agree with their noun: "1 step", "2 steps", "1,200 records".
export function count(n: number, singular: string, plural = `${singular}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? singular : plural}`;
}
