// `rollsafe serve <folder> [--port N] [--host 127.0.0.1]`
import { statSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Command } from 'commander';
import { type Exit, UsageError, intArg } from './args.js';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

export function registerServe(program: Command, exit: Exit): void {
  program
    .command('serve')
    .description('browse a folder of result files in a web browser, each rendered as a report (loopback only by default)')
    .argument('<folder>', 'folder holding result files (.json); nothing outside it is ever served')
    .option('--port <n>', 'TCP port; 0 picks a free one', intArg('--port', 0, 65_535), 4780)
    .option('--host <address>', 'address to bind; anything but loopback exposes your results to the network', '127.0.0.1')
    .action(async (folder: string, flags: { port: number; host: string }) => {
      exit.code = await startServer(folder, flags.port, flags.host);
    });
}

// Resolves once the server listens; the open socket keeps the process alive until Ctrl-C.
async function startServer(folder: string, port: number, host: string): Promise<number> {
  let st;
  try {
    st = statSync(folder);
  } catch {
    throw new UsageError(`${folder}: no such folder; pass the folder your --json result files are written to`);
  }
  if (!st.isDirectory()) throw new UsageError(`${folder}: not a folder; pass the folder that holds the result files, not a file`);
  if (port > 65535) throw new UsageError(`--port ${port}: must be at most 65535`);
  const loopback = LOOPBACK.has(host);
  // express and the report load here, not at every command's start-up
  const { createServeApp } = await import('../../report/serve.js');
  const app = createServeApp(folder, { displayRoot: folder, allowedHosts: loopback ? undefined : null });
  const server = await new Promise<ReturnType<typeof app.listen>>((ok, fail) => {
    const s = app.listen(port, host, (err?: Error) => (err ? fail(err) : ok(s)));
    s.once('error', fail);
  }).catch((e: NodeJS.ErrnoException) => {
    const why = e.code === 'EADDRINUSE' ? 'is already in use' : e.code === 'EADDRNOTAVAIL' ? 'is not an address of this machine' : `failed (${e.message})`;
    throw new UsageError(`listening on ${host}:${port} ${why}; pick another with --port N (0 picks a free one) or --host`);
  });
  const addr = server.address() as AddressInfo;
  const shownHost = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  if (!loopback) process.stderr.write(`warning: bound to ${host}: anyone who can reach this address can read these results\n`);
  process.stdout.write(`rollsafe serve: http://${shownHost}:${addr.port}/ (results in ${folder}; Ctrl-C to stop)\n`);
  const stop = () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return 0;
}
