#!/usr/bin/env node
// The command line loads only when there is a command to run: `rollsafe --version` (a CI
// step's first line, a wrapper's probe) answers without loading the engines and parsers.

// `rollsafe ... | head` closes the pipe early: that is the reader's choice, not an error
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    // a full disk or a closed terminal: say so once, on the stream that still works if any
    if (stream === process.stdout) process.stderr.write(`rollsafe: cannot write to standard output: ${e.code ?? e.message}\n`);
    process.exit(2);
  });
}

const argv = process.argv.slice(2);
const answer = argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V') ? import('../results/version.js').then((v) => (process.stdout.write(`${v.VERSION}\n`), 0)) : import('./program.js').then((p) => p.run(argv));
answer.then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`rollsafe: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = 3;
  },
);
