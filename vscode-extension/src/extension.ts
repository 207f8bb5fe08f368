/** Entry point: wires VS Code events and commands to the actions in the other modules, nothing more. */

import * as vscode from "vscode";
import { clearCache, reportingErrors, setExample, toggleHints, verifyPredictions } from "./commands";
import { Commands, RESTART_COALESCE_MS } from "./constants";
import { createLogChannel, describeError } from "./log";
import { onPythonExtensionInterpreterChange } from "./python";
import { RestartCoalescer } from "./restart";
import { ServerManager } from "./server";
import { affectsUs, needsRestart, readSettings } from "./settings";
import { StatusItem } from "./status";

let server: ServerManager | undefined;

export function activate(context: vscode.ExtensionContext): void {
  const log = createLogChannel();
  const status = new StatusItem();
  server = new ServerManager(context, log, status);
  const manager = server;
  const restarts = new RestartCoalescer(
    (reasons) => manager.restart(reasons),
    RESTART_COALESCE_MS,
    (error) => log.error(`restart failed: ${describeError(error)}`),
  );
  context.subscriptions.push(log, status, restarts);

  context.subscriptions.push(
    vscode.commands.registerCommand(Commands.showLog, () => log.show()),
    vscode.commands.registerCommand(Commands.restart, () => restarts.request("restart command", true)),
    vscode.commands.registerCommand(Commands.toggle, () =>
      reportingErrors(log, "toggle", () => toggleHints(manager)),
    ),
    vscode.commands.registerCommand(Commands.clearCache, () =>
      reportingErrors(log, "clear cache", () => clearCache(manager)),
    ),
    vscode.commands.registerCommand(Commands.setExample, () =>
      reportingErrors(log, "set example", () => setExample(manager)),
    ),
    vscode.commands.registerCommand(Commands.verify, () =>
      reportingErrors(log, "verify", () => verifyPredictions(manager)),
    ),
    vscode.workspace.onDidChangeConfiguration((event) => {
      const affects = (section: string) => event.affectsConfiguration(section);
      if (needsRestart(affects)) {
        void restarts.request("interpreter or modelPath changed");
      } else if (affectsUs(affects)) {
        void reportingErrors(log, "update settings", () => manager.pushSettings());
      }
    }),
  );

  void onPythonExtensionInterpreterChange(() => {
    // Only matters when the Python extension is where the interpreter comes from.
    if (readSettings().interpreter === "") {
      void restarts.request("Python extension interpreter changed");
    }
  }).then(
    (subscription) => subscription && context.subscriptions.push(subscription),
    (error) => log.warn(`could not follow the Python extension's interpreter: ${describeError(error)}`),
  );

  void restarts.request("activation", true);
}

export async function deactivate(): Promise<void> {
  await server?.stop();
}
