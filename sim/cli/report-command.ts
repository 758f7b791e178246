// `rollsafe report <result.json...> -o report.html`
import type { Command } from 'commander';
import { ResultFileError, writeReportFile } from '../../report/index.js';
import { checkOutput } from '../results/output.js';
import { type Exit, UsageError } from './args.js';

export function registerReport(program: Command, exit: Exit): void {
  program
    .command('report')
    .description('render result files (from check/chaos/fuzz/merge --json) as one self-contained HTML page')
    .argument('<results...>', 'result files (.json), or folders of them')
    .option('-o, --output <file>', 'the HTML file to write', 'rollsafe-report.html')
    .action((inputs: string[], flags: { output: string }) => {
      checkOutput('--output', flags.output);
      let written;
      try {
        written = writeReportFile(inputs, flags.output);
      } catch (e) {
        if (e instanceof ResultFileError) throw new UsageError(e.message);
        throw e;
      }
      process.stdout.write(
        `wrote ${flags.output} (${(written.bytes / 1024).toFixed(0)} KiB): ${written.results} result${written.results === 1 ? '' : 's'}, ${written.violations} violation${written.violations === 1 ? '' : 's'}\n`,
      );
      exit.code = 0;
    });
}
