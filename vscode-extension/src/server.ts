/** The language server's lifecycle: start it with the right Python, mirror settings, report crashes. */

import * as vscode from "vscode";
import {
  CloseAction,
  type DynamicFeature,
  DidChangeConfigurationNotification,
  ErrorAction,
  ExecuteCommandRequest,
  LanguageClient,
  type LanguageClientOptions,
  RevealOutputChannelOn,
  type ServerOptions,
  State,
  type StaticFeature,
} from "vscode-languageclient/node";
import { Commands, SECTION, SERVER_MODULE, SERVER_NAME, STATUS_NOTIFICATION } from "./constants";
import { resolveServerPython } from "./environment";
import { type Interpreter, serverEnvironment } from "./python";
import { describeError } from "./log";
import { answerConfiguration, readSettings, type ServerSettings } from "./settings";
import type { ServerStatus, StatusItem } from "./status";

/**
 * A LanguageClient without the stock workspace/executeCommand feature.
 *
 * That feature registers a VS Code command for every command the server advertises; ours already carry
 * those ids (codeexecutor.toggle, .setExample, .clearCache), so the second registration would throw
 * "command already exists" and the client would never connect. We send executeCommand ourselves.
 */
class CodeExecutorClient extends LanguageClient {
  override registerFeature(feature: StaticFeature | DynamicFeature<unknown>): void {
    const method = (feature as Partial<DynamicFeature<unknown>>).registrationType?.method;
    if (method === ExecuteCommandRequest.method) {
      return;
    }
    super.registerFeature(feature);
  }
}

/** Builds the server's settings payload for a scope (what workspace/configuration answers). */
function serverSettingsFor(scopeUri?: string): ServerSettings {
  return readSettings(scopeUri ? vscode.Uri.parse(scopeUri) : undefined).server;
}

const SHOW_LOG = "Show Log";
const RESTART = "Restart";

/** Starts, stops and talks to the one language server process. */
export class ServerManager implements vscode.Disposable {
  private client: LanguageClient | undefined;
  private enabled = true;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly log: vscode.LogOutputChannel,
    private readonly status: StatusItem,
  ) {}

  get isRunning(): boolean {
    return this.client?.state === State.Running;
  }

  /** Stops the running server (if any) and starts a fresh one with the current settings. */
  async restart(reasons: string[]): Promise<void> {
    this.log.info(`starting the server (${reasons.join(", ")})`);
    await this.stop();
    const settings = readSettings();
    settings.problems.forEach((problem) => this.log.warn(problem));
    this.enabled = settings.server.enable;
    this.status.show({ state: "starting" });
    let python: Interpreter | undefined;
    try {
      python = await resolveServerPython({
        interpreterSetting: settings.interpreter,
        autoSetup: settings.autoSetupEnvironment,
        storageDir: this.context.globalStorageUri.fsPath,
        extensionDir: this.context.extensionPath,
        resource: vscode.window.activeTextEditor?.document.uri,
        log: this.log,
      });
    } catch (error) {
      this.log.error(`could not choose the server's Python: ${describeError(error)}`);
    }
    if (!python) {
      this.status.show({ state: "error", message: "no Python that can run the server: see the log" });
      return;
    }
    const client = this.createClient(python.path, settings.server);
    this.client = client;
    try {
      await client.start();
      this.log.info(`server running: ${python.path} -m ${SERVER_MODULE}`);
    } catch (error) {
      // The state listener reports the crash; this only adds the cause.
      this.log.error(`the server failed to start: ${describeError(error)}`);
    }
  }

  /** Stops the server; a no-op when none runs. */
  async stop(): Promise<void> {
    const client = this.client;
    this.client = undefined; // first, so the state listener knows this stop is wanted
    if (!client) {
      return;
    }
    try {
      if (client.state !== State.Stopped) {
        await client.stop(3000);
      }
    } catch (error) {
      this.log.debug(`stopping the server: ${describeError(error)}`);
    }
    this.status.show({ state: "stopped", message: "stopped by the extension" });
  }

  /** Sends the current settings to the running server (a live update, no restart). */
  async pushSettings(): Promise<void> {
    const settings = readSettings();
    settings.problems.forEach((problem) => this.log.warn(problem));
    this.enabled = settings.server.enable;
    if (!this.client || !this.isRunning) {
      return;
    }
    this.log.info(`settings changed: ${JSON.stringify(settings.server)}`);
    await this.client.sendNotification(DidChangeConfigurationNotification.type, {
      settings: { [SECTION]: settings.server },
    });
  }

  /** Runs one of the server's workspace/executeCommand commands; throws a user-facing error if none runs. */
  async executeCommand(command: string, args: unknown[] = []): Promise<unknown> {
    if (!this.client || !this.isRunning) {
      throw new Error("CodeExecutor: the server is not running. Run 'CodeExecutor: Restart Server' (see the log).");
    }
    return this.client.sendRequest(ExecuteCommandRequest.type, { command, arguments: args });
  }

  /** Records the server's answer to codeexecutor.toggle and shows it. */
  setEnabled(enabled: boolean): void {
    this.enabled = enabled;
    this.status.show(enabled ? { state: "ready" } : { state: "off" });
  }

  get hintsEnabled(): boolean {
    return this.enabled;
  }

  dispose(): void {
    void this.stop();
  }

  private createClient(python: string, settings: ServerSettings): LanguageClient {
    const serverOptions: ServerOptions = {
      command: python,
      args: ["-m", SERVER_MODULE],
      // No cwd: the client's default, the workspace folder. Everything installed lives under the one
      // `codeexecutor` package and PYTHONSAFEPATH keeps the cwd off sys.path, so no workspace folder
      // (`server`, `model`, `codeexecutor`) shadows it.
      options: { env: serverEnvironment() },
    };
    const clientOptions: LanguageClientOptions = {
      documentSelector: [
        { scheme: "file", language: "python" },
        { scheme: "untitled", language: "python" },
      ],
      outputChannel: this.log,
      revealOutputChannelOn: RevealOutputChannelOn.Never,
      initializationOptions: settings,
      initializationFailedHandler: () => false,
      errorHandler: {
        error: () => ({ action: ErrorAction.Continue }),
        // Never restart silently in a loop: a crash is reported, and the user restarts.
        closed: () => ({ action: CloseAction.DoNotRestart, handled: true }),
      },
      middleware: {
        workspace: {
          configuration: async (params, token, next) => {
            const answer = await next(params, token);
            if (!Array.isArray(answer)) {
              return answer;
            }
            // Our section is answered typed and expanded (paths resolved, defaults filled), not raw.
            return answerConfiguration(params.items, answer, serverSettingsFor);
          },
        },
      },
    };
    const client = new CodeExecutorClient(SECTION, SERVER_NAME, serverOptions, clientOptions);
    client.onNotification(STATUS_NOTIFICATION, (status: ServerStatus) => this.onStatus(status));
    client.onDidChangeState((event) => {
      if (event.newState === State.Stopped && this.client === client) {
        this.onCrash();
      }
    });
    return client;
  }

  private onStatus(status: ServerStatus): void {
    this.log.debug(`status: ${JSON.stringify(status)}`);
    this.status.show(status.state === "ready" && !this.enabled ? { state: "off" } : status);
  }

  private onCrash(): void {
    const message = "CodeExecutor: the language server stopped unexpectedly.";
    this.log.error(`${message} Its last output is above.`);
    this.status.show({ state: "error", message: "the server stopped unexpectedly: see the log" });
    void vscode.window.showErrorMessage(message, SHOW_LOG, RESTART).then((choice) => {
      if (choice === SHOW_LOG) {
        void vscode.commands.executeCommand(Commands.showLog);
      } else if (choice === RESTART) {
        void vscode.commands.executeCommand(Commands.restart);
      }
    });
  }
}
