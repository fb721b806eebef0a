/**
 * The kernel's own diagnostics. They go to the kernel process's real stderr (the Jupyter server's
 * log), captured before user output is routed to iopub, so they never land in a user's cell.
 */
import { format } from 'node:util';

const writeKernelStderr = process.stderr.write.bind(process.stderr);

export function log(...args: unknown[]): void {
  writeKernelStderr(`[pathlens kernel] ${format(...args)}\n`);
}
