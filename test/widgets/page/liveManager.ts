// A minimal widget manager for a live kernel, like JupyterLab's: ManagerBase over @jupyterlab/services
// comms. Comms to existing models are created without comm_open (the kernel already has them); the
// comm_info fallback is disabled so that a restore must go through jupyter.widget.control.
import * as base from '@jupyter-widgets/base';
import { ManagerBase } from '@jupyter-widgets/base-manager';
import type { Kernel, KernelMessage } from '@jupyterlab/services';
import { Widget } from '@lumino/widgets';
// The test bundles the ESM build (dist/widgets/esm) in place of this source import.
import * as pathlens from '../../../widgets/src/index.js';

/** `^0.1.0` style ranges, enough for this test: same major.minor (0.x), patch at least. */
export function caretMatches(range: string, version: string): boolean {
  const want = range.replace(/^[\^~]/, '').split('.').map(Number);
  const have = version.split('.').map(Number);
  return want[0] === have[0] && (want[0] !== 0 || want[1] === have[1]) && (have[1] > want[1] || (have[1] === want[1] && have[2] >= want[2]));
}

export class LiveManager extends ManagerBase {
  commInfoCalls = 0;

  constructor(private readonly kernel: Kernel.IKernelConnection) {
    super();
    kernel.registerCommTarget(this.comm_target_name, (comm, msg) => {
      void this.handle_comm_open(new base.shims.services.Comm(comm), msg as KernelMessage.ICommOpenMsg);
    });
  }

  protected async loadClass(className: string, moduleName: string, moduleVersion: string): Promise<typeof base.WidgetModel | typeof base.WidgetView> {
    let mod: Record<string, unknown> | undefined;
    if (moduleName === '@jupyter-widgets/base') mod = base as unknown as Record<string, unknown>;
    else if (moduleName === pathlens.MODULE_NAME && caretMatches(moduleVersion, pathlens.MODULE_VERSION)) mod = pathlens as unknown as Record<string, unknown>;
    if (!mod || !(className in mod)) throw new Error(`no class ${className} in ${moduleName}@${moduleVersion}`);
    return mod[className] as typeof base.WidgetModel;
  }

  protected async _create_comm(target: string, modelId?: string, data?: object, metadata?: object, buffers?: ArrayBuffer[] | ArrayBufferView[]): Promise<base.IClassicComm> {
    const comm = this.kernel.createComm(target, modelId);
    if (data || metadata) comm.open(data as never, metadata as never, buffers as never);
    return new base.shims.services.Comm(comm);
  }

  protected async _get_comm_info(): Promise<{}> {
    this.commInfoCalls++;
    throw new Error('comm_info fallback disabled: the control comm must answer');
  }

  /** Every model the kernel has, through the control comm (as a reloaded page does). */
  restore(): Promise<void> {
    return this._loadFromKernel();
  }

  async show(modelId: string, host: HTMLElement): Promise<base.DOMWidgetView> {
    const model = (await this.get_model(modelId)) as base.DOMWidgetModel;
    const view = await this.create_view<base.DOMWidgetView>(model);
    const box = document.createElement('div');
    box.className = 'output';
    box.dataset.modelId = modelId;
    host.append(box);
    Widget.attach(view.luminoWidget, box);
    view.trigger('displayed');
    return view;
  }
}
