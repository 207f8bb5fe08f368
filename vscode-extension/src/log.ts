/** The extension's one log: a VS Code log output channel shared with the language client. */

import * as vscode from "vscode";
import { SERVER_NAME } from "./constants";

/** The few calls the other parts make; a plain interface so tests can record them. */
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  debug(message: string): void;
}

/** Creates the "CodeExecutor" log channel; the language client writes the server's stderr into it too. */
export function createLogChannel(): vscode.LogOutputChannel {
  return vscode.window.createOutputChannel(SERVER_NAME, { log: true });
}

/** Formats an unknown thrown value for the log (an Error's message, else its JSON). */
export function describeError(error: unknown): string {
  if (error instanceof Error) {
    return error.message;
  }
  return typeof error === "string" ? error : JSON.stringify(error);
}
