import { promises as fs } from 'fs';
import * as vscode from 'vscode';
import { connectJaeger, DEFAULT_RECEIVER_PORT, LocalReceiver, type JaegerApi, type Span, type TraceSource } from '../../../server/src/core/traces';

export const TOKEN_SECRET_KEY = 'meshlens.traces.token';

export type BackendState =
  | { kind: 'untrusted' }
  | { kind: 'starting' }
  | { kind: 'ready'; source: TraceSource; description: string }
  | { kind: 'failed'; message: string };

export interface TraceSettings {
  source: string;
  api: JaegerApi;
  headers: Record<string, string>;
  caFile: string;
  rejectUnauthorized: boolean;
  timeoutMs: number;
  autoRefreshSeconds: number;
  receiverPort: number;
  lookbackMinutes: number;
}

export function traceSettings(): TraceSettings {
  const config = vscode.workspace.getConfiguration('meshlens.traces');
  return {
    source: config.get<string>('source', 'local').trim() || 'local',
    api: config.get<JaegerApi>('api', 'auto'),
    headers: config.get<Record<string, string>>('headers', {}),
    caFile: config.get<string>('caFile', ''),
    rejectUnauthorized: config.get<boolean>('rejectUnauthorized', true),
    timeoutMs: config.get<number>('timeoutMs', 10_000),
    autoRefreshSeconds: config.get<number>('autoRefreshSeconds', 0),
    receiverPort: config.get<number>('receiverPort', DEFAULT_RECEIVER_PORT),
    lookbackMinutes: config.get<number>('lookbackMinutes', 15),
  };
}

/**
 * Owns the one trace source of the window: the embedded OTLP receiver ("local", the default) or a
 * Jaeger query service. Nothing touches the network while the workspace is untrusted. The bearer
 * token lives in SecretStorage only; logs show the source's description, which never holds it.
 */
export class TraceBackend implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<BackendState>();
  readonly onDidChange = this.changed.event;
  private readonly spansReceived = new vscode.EventEmitter<readonly Span[]>();
  /** Spans arriving at the embedded receiver. */
  readonly onDidReceiveSpans = this.spansReceived.event;
  private current: BackendState = { kind: 'starting' };
  private receiver: LocalReceiver | undefined;
  private unsubscribe: (() => void) | undefined;
  private generation = 0;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly secrets: vscode.SecretStorage,
    private readonly output: vscode.LogOutputChannel,
  ) {
    this.disposables.push(
      this.changed,
      this.spansReceived,
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (event.affectsConfiguration('meshlens.traces') && !onlyViewSettings(event)) void this.restart();
      }),
      vscode.workspace.onDidGrantWorkspaceTrust(() => void this.restart()),
      secrets.onDidChange((event) => {
        if (event.key === TOKEN_SECRET_KEY && traceSettings().source !== 'local') void this.restart();
      }),
    );
  }

  get state(): BackendState {
    return this.current;
  }

  /** The ready source, or an error saying why there is none. */
  source(): TraceSource {
    const state = this.current;
    if (state.kind === 'ready') return state.source;
    if (state.kind === 'untrusted') throw new Error('this workspace is not trusted: meshlens contacts no trace back end and starts no receiver until you trust it');
    if (state.kind === 'failed') throw new Error(state.message);
    throw new Error('the trace source is starting');
  }

  private set(state: BackendState): void {
    this.current = state;
    this.changed.fire(state);
  }

  async restart(): Promise<void> {
    const generation = ++this.generation;
    await this.stopReceiver();
    if (!vscode.workspace.isTrusted) {
      this.set({ kind: 'untrusted' });
      return;
    }
    this.set({ kind: 'starting' });
    const settings = traceSettings();
    try {
      const state = settings.source === 'local' ? await this.startReceiver(settings) : await this.connect(settings);
      if (generation !== this.generation) return;
      this.output.info(`traces: using ${state.description}`);
      this.set(state);
    } catch (error) {
      if (generation !== this.generation) return;
      const message = error instanceof Error ? error.message : String(error);
      this.output.warn(`traces: ${message}`);
      this.set({ kind: 'failed', message });
    }
  }

  private async startReceiver(settings: TraceSettings): Promise<BackendState & { kind: 'ready' }> {
    const receiver = new LocalReceiver({ port: settings.receiverPort });
    await receiver.listen();
    this.receiver = receiver;
    this.unsubscribe = receiver.onSpans((spans) => this.spansReceived.fire(spans));
    return { kind: 'ready', source: receiver, description: `${receiver.description} (OTLP/HTTP: POST ${receiver.url}/v1/traces)` };
  }

  private async connect(settings: TraceSettings): Promise<BackendState & { kind: 'ready' }> {
    if (!/^https?:\/\//.test(settings.source)) throw new Error(`meshlens.traces.source must be "local" or the http(s) URL of a Jaeger query service (got "${settings.source}")`);
    const bearerToken = await this.secrets.get(TOKEN_SECRET_KEY);
    const ca = settings.caFile ? await fs.readFile(settings.caFile) : undefined;
    const source = await connectJaeger(
      { baseUrl: settings.source, bearerToken, headers: settings.headers, ca, rejectUnauthorized: settings.rejectUnauthorized, timeoutMs: settings.timeoutMs },
      settings.api,
    );
    return { kind: 'ready', source, description: `${source.description}${bearerToken ? ' with a bearer token' : ''}` };
  }

  /** Where the receiver listens, for the view's description. */
  get receiverUrl(): string | undefined {
    return this.receiver?.url;
  }

  get receivedSpans(): number {
    return this.receiver?.stats.spans ?? 0;
  }

  private async stopReceiver(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    const receiver = this.receiver;
    this.receiver = undefined;
    await receiver?.close();
  }

  async setToken(): Promise<void> {
    const token = await vscode.window.showInputBox({ title: 'meshlens: trace back end token', prompt: 'Bearer token for the Jaeger query service (kept in VS Code\'s secret storage)', password: true, ignoreFocusOut: true });
    if (!token) return;
    await this.secrets.store(TOKEN_SECRET_KEY, token.trim());
    void vscode.window.showInformationMessage('meshlens: trace back end token saved in secret storage.');
  }

  async clearToken(): Promise<void> {
    await this.secrets.delete(TOKEN_SECRET_KEY);
    void vscode.window.showInformationMessage('meshlens: trace back end token removed.');
  }

  dispose(): void {
    this.generation++;
    void this.stopReceiver();
    for (const disposable of this.disposables) disposable.dispose();
  }
}

/** Settings that change only how the views behave, not where traces come from. */
function onlyViewSettings(event: vscode.ConfigurationChangeEvent): boolean {
  const sourceKeys = ['source', 'api', 'headers', 'caFile', 'rejectUnauthorized', 'timeoutMs', 'receiverPort'];
  return !sourceKeys.some((key) => event.affectsConfiguration(`meshlens.traces.${key}`));
}
