#!/usr/bin/env node
/**
 * `pathlens kernel install [--user | --prefix DIR]` and `pathlens kernel uninstall [--user | --prefix DIR]`.
 */
import { DISPLAY_NAME, install, KERNEL_NAME, uninstall, type Location } from './kernelspec.js';

const USAGE = `usage: pathlens kernel install [--user | --prefix DIR]
       pathlens kernel uninstall [--user | --prefix DIR]

Installs the Jupyter kernel '${KERNEL_NAME}' ("${DISPLAY_NAME}"). --user (the default) writes to
Jupyter's user data directory ($JUPYTER_DATA_DIR or ~/.local/share/jupyter); --prefix DIR writes to
DIR/share/jupyter (add DIR/share/jupyter to JUPYTER_PATH to use it).`;

class UsageError extends Error {}

function parseLocation(args: string[]): Location {
  let location: Location = { kind: 'user' };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--user') location = { kind: 'user' };
    else if (arg === '--prefix' || arg.startsWith('--prefix=')) {
      const prefix = arg === '--prefix' ? args[++i] : arg.slice('--prefix='.length);
      if (!prefix) throw new UsageError('--prefix needs a directory');
      location = { kind: 'prefix', prefix };
    } else throw new UsageError(`unknown option '${arg}'`);
  }
  return location;
}

function run(argv: string[]): void {
  const [group, action, ...rest] = argv;
  if (group === '--help' || group === '-h' || group === 'help') {
    console.log(USAGE);
    return;
  }
  if (group !== 'kernel' || (action !== 'install' && action !== 'uninstall')) throw new UsageError(group ? `unknown command '${[group, action].filter(Boolean).join(' ')}'` : 'no command');
  const location = parseLocation(rest);
  if (action === 'install') {
    console.log(`Installed kernelspec ${KERNEL_NAME} in ${install(location)}`);
    return;
  }
  const removed = uninstall(location);
  console.log(removed ? `Removed kernelspec ${KERNEL_NAME} from ${removed}` : `No kernelspec ${KERNEL_NAME} installed there; nothing removed`);
}

try {
  run(process.argv.slice(2));
} catch (error) {
  if (error instanceof UsageError) {
    console.error(`pathlens: ${error.message}\n\n${USAGE}`);
    process.exitCode = 2;
  } else {
    console.error(`pathlens: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  }
}
