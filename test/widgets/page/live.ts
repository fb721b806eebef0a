// The live test page: starts (or, after a reload, reconnects to) a pathlens kernel on the Jupyter server
// that served this page, runs code, and shows the widgets the outputs name. Playwright drives it via window.pl.
import { KernelManager, ServerConnection, type KernelMessage } from '@jupyterlab/services';
import { LiveManager } from './liveManager.js';

const WIDGET_VIEW = 'application/vnd.jupyter.widget-view+json';
const params = new URLSearchParams(location.search);
const settings = ServerConnection.makeSettings({ baseUrl: `${location.origin}/`, wsUrl: `ws://${location.host}/`, token: params.get('token') ?? '' });
const kernels = new KernelManager({ serverSettings: settings });
const host = document.getElementById('outputs')!;
const stderr: string[] = [];
const errors: string[] = [];

async function connect() {
  const id = params.get('kernel');
  const kernel = id ? kernels.connectTo({ model: { id, name: 'pathlens' } }) : await kernels.startNew({ name: 'pathlens' });
  if (!id) {
    params.set('kernel', kernel.id);
    history.replaceState(null, '', `?${params}`);
  }
  kernel.iopubMessage.connect((_, msg) => {
    if (msg.header.msg_type === 'stream') {
      const content = (msg as KernelMessage.IStreamMsg).content;
      if (content.name === 'stderr') stderr.push(content.text);
    }
  });
  await kernel.info;
  return { kernel, manager: new LiveManager(kernel) };
}

const ready = connect();

async function execute(code: string) {
  const { kernel, manager } = await ready;
  const shown: Promise<unknown>[] = [];
  let text = '';
  const future = kernel.requestExecute({ code, stop_on_error: true });
  future.onIOPub = (msg) => {
    const type = msg.header.msg_type;
    if (type === 'display_data' || type === 'execute_result') {
      const data = (msg.content as { data: Record<string, unknown> }).data;
      const view = data[WIDGET_VIEW] as { model_id: string } | undefined;
      if (view) shown.push(manager.show(view.model_id, host));
      else text += String(data['text/plain'] ?? '');
    } else if (type === 'stream') text += (msg.content as { text: string }).text;
    else if (type === 'error') {
      const { ename, evalue } = msg.content as { ename: string; evalue: string };
      errors.push(`${ename}: ${evalue}`);
      text += `${ename}: ${evalue}`;
    }
  };
  const reply = await future.done;
  await Promise.all(shown);
  return { status: reply.content.status, text, views: shown.length };
}

/** After a reload: every model back through jupyter.widget.control, and a view for each of ours. */
async function restore() {
  const { manager } = await ready;
  await manager.restore();
  const models = await Promise.all(Object.keys((await manager.get_state()).state).map((id) => manager.get_model(id)));
  for (const model of models) if (model.get('_view_module') === 'pathlens') await manager.show(model.model_id, host);
  return models.length;
}

/** Sends a raw message on a model's comm (to test how the kernel takes malformed ones). */
async function sendRaw(modelId: string, data: Record<string, unknown>, buffers: ArrayBuffer[] = []) {
  const { manager } = await ready;
  const model = await manager.get_model(modelId);
  model.comm!.send(data as never, undefined, {}, buffers);
}

async function commInfoCalls() {
  return (await ready).manager.commInfoCalls;
}

Object.assign(window, { pl: { ready: ready.then(() => true), execute, restore, sendRaw, commInfoCalls, stderr, errors } });
