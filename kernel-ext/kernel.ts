/**
 * The message handlers of the pathlens kernel: one per request type of the Jupyter messaging spec
 * (5.3), around tslab's compiler and executor. Executions run one at a time in arrival order; the
 * other requests (completion, inspection, comms, history, kernel info) are answered at once.
 */
import { readFileSync } from 'node:fs';
import { inspect } from 'node:util';
import type { Channel, Channels } from './channels.js';
import { Cells } from './cells.js';
import { CommManager, registerWidgetTargets } from './comms.js';
import { installProcessGuards, type ProcessExits } from './guards.js';
import { History } from './history.js';
import { createHook, installHook } from './hook.js';
import { log } from './log.js';
import { resultBundle } from './mime.js';
import { OutputRouter } from './output.js';
import { fromThrown, tslabVersion, typescriptVersion, type CellError, type TslabEngine } from './tslab.js';
import { PROTOCOL_VERSION, type JsonObject, type Message } from './wire.js';

const packageVersion = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

interface Request {
  channel: Channel;
  message: Message;
}

type RequestHandler = (request: Request) => Promise<void> | void;

const INTERRUPTED_TEXT = 'the cell was interrupted; nothing after its pending await ran';
/** The error reply of a cell stopped by an interrupt at an await (one stopped by breakOnSigint says so itself). */
const INTERRUPTED: CellError = { ename: 'Interrupted', evalue: INTERRUPTED_TEXT, traceback: [`Interrupted: ${INTERRUPTED_TEXT}`] };

export class Kernel {
  private readonly output: OutputRouter;
  private readonly comms: CommManager;
  private readonly history = new History();
  private executionCount = 0;
  private readonly executions: Request[] = [];
  private executing = false;
  private readonly handlers: Map<string, RequestHandler>;
  private readonly cells = new Cells();
  private exits: ProcessExits | undefined;
  /** Promises the running cell waits for before it replies (KernelHook.keepBusy). */
  private readonly pendingWork: Promise<unknown>[] = [];

  constructor(
    private readonly channels: Channels,
    private readonly engine: TslabEngine,
  ) {
    this.output = new OutputRouter((type, content, parent) => void channels.publish(type, content, parent));
    this.comms = new CommManager(
      (type, content, metadata, buffers) => void channels.publish(type, content, this.output.parent, buffers, metadata),
      (where, error) => this.reportAsync(`Error in ${where}:`, error),
    );
    registerWidgetTargets(this.comms);
    const sendDisplay = (update: boolean, content: JsonObject) =>
      void channels.publish(update ? 'update_display_data' : 'display_data', content, this.output.parent);
    const clearOutput = (wait: boolean) => void channels.publish('clear_output', { wait }, this.output.parent);
    const keepBusy = (work: Promise<unknown>) => void this.pendingWork.push(work);
    installHook(createHook({ sendDisplay, clearOutput, keepBusy }, this.comms, () => this.cells.signal()));
    engine.setTslabDisplayWriter((data, update) =>
      sendDisplay(update, { data: data.data, metadata: data.metadata ?? {}, transient: data.transient ?? {} }),
    );
    // A Map: a msg_type such as 'constructor' or '__proto__' must not find Object.prototype's members.
    this.handlers = new Map(Object.entries<RequestHandler>({
      kernel_info_request: (r) => this.reply(r, 'kernel_info_reply', this.kernelInfo()),
      execute_request: (r) => this.enqueueExecution(r),
      complete_request: (r) => this.complete(r),
      inspect_request: (r) => this.inspect(r),
      is_complete_request: (r) => this.reply(r, 'is_complete_reply', this.engine.isComplete(String(r.message.content.code ?? ''))),
      history_request: (r) => this.reply(r, 'history_reply', this.history.reply(r.message.content)),
      comm_info_request: (r) => this.reply(r, 'comm_info_reply', this.comms.info(r.message.content.target_name)),
      comm_open: (r) => this.receiveComm(r),
      comm_msg: (r) => this.receiveComm(r),
      comm_close: (r) => this.receiveComm(r),
      interrupt_request: (r) => this.interrupt(r),
      shutdown_request: (r) => this.shutdown(r),
    }));
  }

  start(): void {
    this.output.install();
    this.exits = installProcessGuards();
    process.on('SIGINT', () => this.interruptCell());
    process.on('uncaughtException', (error) => this.reportAsync('Uncaught', error));
    process.on('unhandledRejection', (reason) => this.reportAsync('Unhandled promise rejection:', reason));
    this.channels.answerOnControl(this.kernelInfo());
    this.channels.listen((channel, message) => this.receive({ channel, message }), (cellId) => this.interruptCell(cellId));
  }

  /** An error of user code outside a cell's run (a timer, a comm handler): shown in the current cell. */
  private reportAsync(what: string, error: unknown): void {
    let text: string;
    try {
      text = inspect(error);
    } catch {
      text = fromThrown(error).traceback.join('\n');
    }
    if (this.output.parent) process.stderr.write(`${what} ${text}\n`);
    else log(what, text);
  }

  private receive(request: Request): void {
    const type = request.message.header.msg_type;
    const handler = this.handlers.get(type);
    if (type === 'execute_request') {
      handler!(request); // busy/idle are published when it runs (or is aborted)
      return;
    }
    void this.busy(request, async () => {
      if (handler) await handler(request);
      else this.unknown(request);
    });
  }

  private async busy(request: Request, serve: () => Promise<void> | void): Promise<void> {
    const parent = request.message.header;
    void this.channels.publish('status', { execution_state: 'busy' }, parent);
    try {
      await serve();
    } catch (e) {
      log(`serving ${parent.msg_type} failed:`, e);
      if (parent.msg_type.endsWith('_request')) {
        const error = fromThrown(e);
        void this.reply(request, parent.msg_type.replace(/_request$/, '_reply'), { status: 'error', ename: 'KernelError', evalue: error.evalue, traceback: error.traceback });
      }
    } finally {
      void this.channels.publish('status', { execution_state: 'idle' }, parent);
    }
  }

  private unknown(request: Request): void {
    const type = request.message.header.msg_type;
    log(`unknown message type '${type}' on ${request.channel}`);
    if (type.endsWith('_request')) {
      void this.reply(request, type.replace(/_request$/, '_reply'), { status: 'error', ename: 'UnknownMessageType', evalue: `the pathlens kernel does not handle '${type}'`, traceback: [] });
    }
  }

  private reply(request: Request, type: string, content: JsonObject): Promise<void> {
    return this.channels.reply(request.channel, request.message, type, content);
  }

  private kernelInfo(): JsonObject {
    return {
      status: 'ok',
      protocol_version: PROTOCOL_VERSION,
      implementation: 'pathlens',
      implementation_version: packageVersion,
      language_info: {
        name: 'typescript',
        version: typescriptVersion,
        mimetype: 'text/typescript',
        file_extension: '.ts',
        codemirror_mode: { name: 'javascript', typescript: true },
      },
      banner: `pathlens kernel ${packageVersion}: TypeScript ${typescriptVersion} (tslab ${tslabVersion}) on Node ${process.version}`,
      help_links: [{ text: 'pathlens', url: 'https://www.npmjs.com/package/pathlens' }],
      debugger: false,
    };
  }

  // ---- execution --------------------------------------------------------------------------------

  private enqueueExecution(request: Request): void {
    this.executions.push(request);
    if (!this.executing) void this.drainExecutions();
  }

  private async drainExecutions(): Promise<void> {
    this.executing = true;
    try {
      for (let next = this.executions.shift(); next; next = this.executions.shift()) {
        const request = next;
        await this.busy(request, () => this.execute(request));
      }
    } finally {
      this.executing = false;
    }
  }

  private async execute(request: Request): Promise<void> {
    const content = request.message.content;
    const code = typeof content.code === 'string' ? content.code : '';
    const silent = content.silent === true;
    const storeHistory = !silent && content.store_history !== false;
    if (storeHistory) this.executionCount++;
    const count = this.executionCount;
    const parent = request.message.header;
    if (!silent) void this.channels.publish('execute_input', { code, execution_count: count }, parent);
    if (storeHistory) this.history.add(count, code);
    this.output.parent = parent;

    let signal: AbortSignal | undefined;
    const outcome = await this.cells.run((cellId) => {
      signal = this.cells.signal();
      return this.engine.run(code, cellId);
    });
    // Work a library asked the cell to wait for (hook.keepBusy): its messages belong to this cell.
    while (this.pendingWork.length > 0) await Promise.allSettled(this.pendingWork.splice(0));
    let error: CellError | undefined = outcome.ok ? undefined : signal?.aborted ? INTERRUPTED : outcome.error;
    if (outcome.ok) {
      for (const warning of outcome.warnings) process.stderr.write(`${warning}\n`);
      if (outcome.hasValue && !silent) {
        try {
          const data = await resultBundle(outcome.value);
          void this.channels.publish('execute_result', { execution_count: count, data, metadata: {} }, parent);
          if (storeHistory && typeof data['text/plain'] === 'string') this.history.setOutput(count, data['text/plain']);
        } catch (e) {
          const message = e instanceof Error ? e.message : String(e);
          error = { ename: 'DisplayError', evalue: `[Symbol.for('Jupyter.display')]() failed: ${message}`, traceback: [`DisplayError: ${message}`] };
        }
      }
    }
    if (!error) {
      await this.reply(request, 'execute_reply', { status: 'ok', execution_count: count, payload: [], user_expressions: {} });
      return;
    }
    if (!silent) void this.channels.publish('error', { ...error }, parent);
    // Taken before the reply goes out: a request the client sends once it sees the error is not queued behind it.
    const queued = content.stop_on_error !== false ? this.executions.splice(0) : [];
    await this.reply(request, 'execute_reply', { status: 'error', execution_count: count, ...error });
    this.abort(queued);
  }

  /** After an error, the executions that were queued behind it are aborted (not later ones). */
  private abort(queued: Request[]): void {
    for (const request of queued) {
      void this.busy(request, () => this.reply(request, 'execute_reply', { status: 'aborted', execution_count: this.executionCount }));
    }
  }

  // ---- other requests ---------------------------------------------------------------------------

  private cursor(request: Request): { code: string; position: number } {
    const code = typeof request.message.content.code === 'string' ? request.message.content.code : '';
    const raw = request.message.content.cursor_pos;
    const position = typeof raw === 'number' && Number.isInteger(raw) ? Math.max(0, Math.min(raw, code.length)) : code.length;
    return { code, position };
  }

  private complete(request: Request): Promise<void> {
    const { code, position } = this.cursor(request);
    const { start, end, candidates } = this.engine.complete(code, position);
    return this.reply(request, 'complete_reply', { status: 'ok', matches: candidates, cursor_start: start, cursor_end: end, metadata: {} });
  }

  private inspect(request: Request): Promise<void> {
    const { code, position } = this.cursor(request);
    const text = this.engine.inspect(code, position);
    return this.reply(request, 'inspect_reply', text ? { status: 'ok', found: true, data: { 'text/plain': text }, metadata: {} } : { status: 'ok', found: false, data: {}, metadata: {} });
  }

  private receiveComm(request: Request): void {
    this.output.during(request.message.header, () => this.comms.receive(request.message));
  }

  /**
   * Stops the running cell (the cell `cellId` when the interrupt names it): its signal is aborted (library
   * work such as explain() stops) and its pending await rejects. An interrupt that arrives twice (SIGINT and
   * the control thread's notice) stops it once.
   */
  private interruptCell(cellId?: number): void {
    if (this.cells.interrupt(cellId)) this.engine.interrupt();
  }

  private interrupt(request: Request): Promise<void> {
    this.interruptCell();
    return this.reply(request, 'interrupt_reply', { status: 'ok' });
  }

  private async shutdown(request: Request): Promise<void> {
    const restart = request.message.content.restart === true;
    await this.reply(request, 'shutdown_reply', { status: 'ok', restart });
    await this.channels.publish('shutdown_reply', { status: 'ok', restart }, request.message.header);
    setTimeout(() => void this.exit(), 50);
  }

  /**
   * Ends the process once the control thread has closed its sockets: process.exit() while that thread is
   * still closing them aborted the process (controlThread.ts's closeSockets says why).
   */
  private async exit(): Promise<void> {
    try {
      this.engine.close();
      await this.channels.close();
    } catch (e) {
      log('shutdown:', e);
    } finally {
      (this.exits?.exit ?? process.exit)(0);
    }
  }
}
