// rollsafe's command line, as a function of argv: exit code 0 when every scenario is as
// expected (or safe), 1 for violations or unmet expectations, 2 for bad input or usage.
import { Command, CommanderError } from 'commander';
import { ScenarioError } from '../../model/scenario/load.js';
import { VERSION } from '../results/version.js';
import { registerCheck } from './check-command.js';
import { registerFuzz } from './fuzz-command.js';
import { registerChaos } from './chaos-command.js';
import { registerReplay } from './replay-command.js';
import { registerMerge } from './merge-command.js';
import { registerReport } from './report-command.js';
import { registerServe } from './serve-command.js';
import { registerDiff } from './diff-command.js';
import { registerSuggest } from './suggest-command.js';
import { OutputError } from '../results/output.js';
import { ResultFileError } from '../results/result-file.js';
import { type Exit, UsageError } from './args.js';

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
  registerSuggest(program, exit);
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
    if (e instanceof ScenarioError || e instanceof UsageError || e instanceof OutputError || e instanceof ResultFileError) {
      process.stderr.write(`rollsafe: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}
