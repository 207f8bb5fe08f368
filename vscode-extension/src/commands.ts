/** The actions behind the commands that talk to the server. */

import * as vscode from "vscode";
import { ServerCommands } from "./constants";
import { askForExample } from "./example";
import { describeError } from "./log";
import type { ServerManager } from "./server";

/** The new state after codeexecutor.toggle: the server's answer if it gave one, else the flipped state. */
export function enabledAfterToggle(answer: unknown, before: boolean): boolean {
  if (typeof answer === "boolean") {
    return answer;
  }
  if (answer !== null && typeof answer === "object" && typeof (answer as { enabled?: unknown }).enabled === "boolean") {
    return (answer as { enabled: boolean }).enabled;
  }
  return !before;
}

/** Runs an action; a failure becomes an error message (and a log line) instead of a silent rejection. */
export async function reportingErrors(log: vscode.LogOutputChannel, what: string, action: () => Promise<void>): Promise<void> {
  try {
    await action();
  } catch (error) {
    const message = describeError(error);
    log.error(`${what}: ${message}`);
    void vscode.window.showErrorMessage(message.startsWith("CodeExecutor") ? message : `CodeExecutor: ${what}: ${message}`);
  }
}

export async function toggleHints(server: ServerManager): Promise<void> {
  const answer = await server.executeCommand(ServerCommands.toggle);
  server.setEnabled(enabledAfterToggle(answer, server.hintsEnabled));
}

export async function clearCache(server: ServerManager): Promise<void> {
  await server.executeCommand(ServerCommands.clearCache);
  void vscode.window.setStatusBarMessage("CodeExecutor: prediction cache cleared", 3000);
}

export async function setExample(server: ServerManager): Promise<void> {
  const request = await askForExample(vscode.window.activeTextEditor);
  if (request) {
    await server.executeCommand(ServerCommands.setExample, [request.uri, request.functionName, request.callText]);
  }
}
