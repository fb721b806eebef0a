#!/usr/bin/env node
/**
 * Starts the pathlens kernel: `node dist/kernel-ext/main.js <connection_file>` (what the installed
 * kernelspec runs). Cells run with the kernel's working directory (the notebook's folder) as root.
 */
import { Channels, readConnectionFile } from './channels.js';
import { Kernel } from './kernel.js';
import { log } from './log.js';
import { TslabEngine } from './tslab.js';

async function main(argv: string[]): Promise<void> {
  const connectionFile = argv[0];
  if (!connectionFile) throw new Error('usage: node kernel-ext/main.js <connection_file>');
  const channels = new Channels(readConnectionFile(connectionFile));
  await channels.bind();
  const kernel = new Kernel(channels, new TslabEngine(process.cwd()));
  kernel.start();
}

main(process.argv.slice(2)).catch((error: unknown) => {
  log('could not start:', error instanceof Error ? error.message : error);
  process.exit(1);
});
