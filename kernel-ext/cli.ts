#!/usr/bin/env node
/**
 * `pathlens kernel install [--user | --prefix DIR]` and `pathlens kernel uninstall [--user | --prefix DIR]`:
 * the Jupyter kernel and the JupyterLab extension (widgets, Plotly figures) together.
 */
import { DISPLAY_NAME, install, KERNEL_NAME, LABEXTENSION_NAME, uninstall, type Location } from './kernelspec.js';

const USAGE = `usage: pathlens kernel install [--user | --prefix DIR]
       pathlens kernel uninstall [--user | --prefix DIR]
       pathlens --help | pathlens kernel --help

install   writes the Jupyter kernel '${KERNEL_NAME}' ("${DISPLAY_NAME}") and the JupyterLab 4 /
          Notebook 7 extension '${LABEXTENSION_NAME}' (pathlens's widgets and a Plotly renderer)
uninstall removes both

--user        (the default) Jupyter's user data directory: $JUPYTER_DATA_DIR, else
              ~/.local/share/jupyter (Linux), ~/Library/Jupyter (macOS), %APPDATA%\\jupyter (Windows)
--prefix DIR  DIR/share/jupyter: DIR=$(python3 -c 'import sys; print(sys.prefix)') for the Python
              environment that runs Jupyter; for another DIR add DIR/share/jupyter to JUPYTER_PATH

The kernel runs cells in the notebook's folder: 'pathlens' and '@tensorflow/tfjs' resolve from there,
else from the pathlens installation that installed the kernel.`;

class UsageError extends Error {}

const isHelp = (arg: string | undefined) => arg === '--help' || arg === '-h' || arg === 'help';

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
  if (isHelp(group) || (group === 'kernel' && (isHelp(action) || rest.some(isHelp)))) {
    console.log(USAGE);
    return;
  }
  if (group !== 'kernel' || (action !== 'install' && action !== 'uninstall')) throw new UsageError(group ? `unknown command '${[group, action].filter(Boolean).join(' ')}'` : 'no command');
  const location = parseLocation(rest);
  if (action === 'install') {
    const { kernel, labextension } = install(location);
    console.log(`Installed kernelspec ${KERNEL_NAME} in ${kernel}\nInstalled JupyterLab extension ${LABEXTENSION_NAME} in ${labextension}`);
    return;
  }
  const removed = uninstall(location);
  console.log(removed.kernel ? `Removed kernelspec ${KERNEL_NAME} from ${removed.kernel}` : `No kernelspec ${KERNEL_NAME} installed there; nothing removed`);
  console.log(removed.labextension ? `Removed JupyterLab extension ${LABEXTENSION_NAME} from ${removed.labextension}` : `No JupyterLab extension ${LABEXTENSION_NAME} installed there`);
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
