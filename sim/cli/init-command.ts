// `rollsafe init <file> [--template <kind>] [--force]`: a commented starter scenario that
// `rollsafe check` passes, from templates/ (each one checked by test/init.test.ts).
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, extname, relative, resolve, sep } from 'node:path';
import { type Command, InvalidArgumentError } from 'commander';
import { packageRoot } from '../../model/package-root.js';
import { SCENARIO_SCHEMA_FILE } from '../../model/scenario/parse.js';
import { loadScenarioText } from '../../model/scenario/load.js';
import { slug } from '../../model/machine-states.js';
import { checkOutput, writeOutput } from '../results/output.js';
import { type Exit, UsageError } from './args.js';

export const TEMPLATES = {
  'plugin-rolling-upgrade': 'a KMS plugin upgraded one node at a time while the service stays up',
  'appliance-image-upgrade': 'one appliance image replaced in a window, backup first, rollback window after',
  'tiered-services': 'dependent services upgraded tier by tier, a data migration, a restore as the way back',
  'expand-contract-database': 'a shared database: expand, rolling restart, contract',
  'key-rotation': 'rotate, re-encrypt, verify, then retire the previous key version',
} as const;
type Template = keyof typeof TEMPLATES;
const KINDS = Object.keys(TEMPLATES) as Template[];

function templateArg(v: string): Template {
  if (!(KINDS as string[]).includes(v)) throw new InvalidArgumentError(`--template must be one of: ${KINDS.join(', ')}`);
  return v as Template;
}

// The starter for `file`: its first line names the scenario schema by a path from the file's
// folder (what editors running yaml-language-server read), and the scenario is named after the
// file when the file's name is a valid scenario name.
export function starterText(kind: Template, file: string): string {
  const text = readFileSync(resolve(packageRoot(), 'templates', `${kind}.yaml`), 'utf8');
  const schema = relative(dirname(resolve(file)), SCENARIO_SCHEMA_FILE).split(sep).join('/');
  const name = slug(basename(file, extname(file))).replace(/_/g, '-');
  const named = /^[a-z0-9][a-z0-9-]{0,127}$/.test(name) && file !== '-' ? text.replace(/^scenario: .*$/m, `scenario: ${name}`) : text;
  return named.replace(/^# yaml-language-server: \$schema=.*$/m, `# yaml-language-server: $schema=${schema}`);
}

export function registerInit(program: Command, exit: Exit): void {
  program
    .command('init')
    .description('write a commented starter scenario that rollsafe check passes, to edit into your runbook')
    .argument('<file>', 'the scenario file to create (.yaml), or - for standard output')
    .option('--template <kind>', `${KINDS.join(', ')}`, templateArg, 'plugin-rolling-upgrade')
    .option('--force', 'replace the file if it exists')
    .action((file: string, flags: { template: Template; force?: boolean }) => {
      if (file !== '-' && existsSync(file) && !flags.force) {
        throw new UsageError(`${file} already exists; pass --force to replace it, or name a new file`);
      }
      const out = checkOutput('<file>', file)!;
      const text = starterText(flags.template, file);
      // a template that no longer loads is rollsafe's bug, not the user's: fail before writing
      loadScenarioText(text, `templates/${flags.template}.yaml`);
      writeOutput(out, text);
      if (out.path !== null) {
        process.stdout.write(`wrote ${out.shown} (template ${flags.template}: ${TEMPLATES[flags.template]})\nnext: edit it into your runbook, then run rollsafe check ${out.shown}\n`);
      }
      exit.code = 0;
    });
}
