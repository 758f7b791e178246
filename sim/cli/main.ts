#!/usr/bin/env node
import { run } from './program.js';

// `rollsafe ... | head` closes the pipe early: that is the reader's choice, not an error
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    // a full disk or a closed terminal: say so once, on the stream that still works if any
    if (stream === process.stdout) process.stderr.write(`rollsafe: cannot write to standard output: ${e.code ?? e.message}\n`);
    process.exit(2);
  });
}

run(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`rollsafe: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = 3;
  },
);
