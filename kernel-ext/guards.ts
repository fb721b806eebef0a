/**
 * Cells run in the kernel's own process: `process.exit`, `process.abort`, `process.reallyExit` and
 * `process.kill` of this process (or its group) would end the kernel and every variable with it. They
 * throw instead (an error reply for the cell); the kernel keeps the originals for its own shutdown.
 * This stops accidents, not malice: a cell can still reach the OS (child_process, native modules).
 */
const ENDS_KERNEL = 'would end the pathlens kernel and lose every variable; use the front end\'s "Restart kernel" (or "Shut down") instead';

export interface ProcessExits {
  /** The real process.exit, for the kernel's shutdown. */
  readonly exit: (code?: number) => never;
}

function refuse(what: string): never {
  throw new Error(`${what} ${ENDS_KERNEL}`);
}

/** Whether `process.kill(pid, signal)` would reach this process: its pid, 0 (its group) or a negative group id. */
function hitsThisProcess(pid: unknown, signal: unknown): boolean {
  if (signal === 0 || signal === '0') return false; // only asks whether the process exists
  const n = Number(pid);
  return n === process.pid || n === 0 || n < 0;
}

export function installProcessGuards(): ProcessExits {
  const realExit = process.exit;
  const reallyExit = (process as unknown as { reallyExit: (code?: number) => never }).reallyExit;
  const kill = process.kill.bind(process);
  const replace = (name: 'exit' | 'abort' | 'reallyExit' | 'kill', fn: (...args: never[]) => unknown) =>
    Object.defineProperty(process, name, { value: fn, configurable: true, writable: true, enumerable: false });
  const exit = (code?: number): never => {
    replace('reallyExit', reallyExit); // node's process.exit ends through process.reallyExit
    return realExit.call(process, code);
  };
  replace('exit', () => refuse('process.exit()'));
  replace('abort', () => refuse('process.abort()'));
  replace('reallyExit', () => refuse('process.reallyExit()'));
  replace('kill', ((pid: number, signal?: string | number) => {
    if (hitsThisProcess(pid, signal)) refuse(`process.kill(${String(pid)}${signal === undefined ? '' : `, ${JSON.stringify(signal)}`})`);
    return kill(pid, signal);
  }) as (...args: never[]) => unknown);
  return { exit };
}
