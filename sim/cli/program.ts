// rollsafe's command line, as a function of argv: exit code 0 when every scenario is as
// expected (or safe), 1 for violations or unmet expectations, 2 for bad input or usage.
import { Command, CommanderError } from 'commander';
import { ScenarioError } from '../../model/scenario/load.js';
import { MAX_ERRORS_SHOWN, ScenarioErrors } from '../../model/scenario/parse.js';
import { VERSION } from '../results/version.js';
import { registerCheck } from './check-command.js';
import { registerFuzz } from './fuzz-command.js';
import { registerChaos } from './chaos-command.js';
import { registerReplay } from './replay-command.js';
import { registerMerge } from './merge-command.js';
import { registerReport } from './report-command.js';
import { registerServe } from './serve-command.js';
import { registerDiff } from './diff-command.js';
import { registerGraph } from './graph-command.js';
import { registerInit } from './init-command.js';
import { registerSuggest } from './suggest-command.js';
import { OutputError } from '../results/output.js';
import { ResultFileError } from '../results/result-file.js';
import { type Exit, UsageError } from './args.js';
import { addCommandHelp } from './help.js';

export { type Exit, UsageError };

export function buildProgram(exit: Exit): Command {
  const program = new Command();
  program
    .name('rollsafe')
    .description('Explore key-management upgrade and rollback runbooks for unsafe states.')
    .version(VERSION)
    .exitOverride()
    .showHelpAfterError('(run rollsafe --help for usage)');
  registerCheck(program, exit);
  registerFuzz(program, exit);
  registerChaos(program, exit);
  registerReplay(program, exit);
  registerMerge(program, exit);
  registerReport(program, exit);
  registerServe(program, exit);
  registerDiff(program, exit);
  registerGraph(program, exit);
  registerInit(program, exit);
  registerSuggest(program, exit);
  addCommandHelp(program);
  return program;
}

export async function run(argv: string[]): Promise<number> {
  const exit: Exit = { code: 0 };
  const program = buildProgram(exit);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return exit.code;
  } catch (e) {
    if (e instanceof CommanderError) {
      return e.code === 'commander.helpDisplayed' || e.code === 'commander.version' ? 0 : 2;
    }
    if (e instanceof ScenarioErrors) {
      // each problem on its own lines, as a single one would be
      for (const x of e.all.slice(0, MAX_ERRORS_SHOWN)) process.stderr.write(`rollsafe: ${x.message}\n`);
      const more = e.all.length > MAX_ERRORS_SHOWN ? ` (the first ${MAX_ERRORS_SHOWN} shown)` : '';
      process.stderr.write(`rollsafe: ${e.all.length} problems in ${e.file}${more}\n`);
      return 2;
    }
    if (e instanceof ScenarioError || e instanceof UsageError || e instanceof OutputError || e instanceof ResultFileError) {
      process.stderr.write(`rollsafe: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}
