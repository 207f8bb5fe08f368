/** The status bar item: the server's state at a glance; clicking it opens the log. */

import * as vscode from "vscode";
import { Commands, SERVER_NAME } from "./constants";

/** What the server's `codeexecutor/status` notification carries, plus states only the extension knows. */
export interface ServerStatus {
  state: "starting" | "predicting" | "ready" | "error" | "stopped" | "off";
  pending?: number;
  message?: string;
}

export interface StatusView {
  text: string;
  tooltip: string;
  error: boolean;
}

/** Turns a status into the item's text and tooltip (pure). */
export function describeStatus(status: ServerStatus): StatusView {
  const detail = status.message ? `\n${status.message}` : "";
  switch (status.state) {
    case "starting":
      return { text: `$(loading~spin) ${SERVER_NAME}`, tooltip: `${SERVER_NAME}: starting${detail}`, error: false };
    case "predicting": {
      const n = status.pending ?? 0;
      const summary = `predicting ${n} scenario${n === 1 ? "" : "s"}`;
      // The server's message often says the same thing: do not repeat it.
      const extra = status.message && status.message !== summary ? `\n${status.message}` : "";
      return { text: `$(sync~spin) ${SERVER_NAME}: predicting ${n}`, tooltip: `${SERVER_NAME}: ${summary}${extra}`, error: false };
    }
    case "ready":
      return { text: `$(check) ${SERVER_NAME}`, tooltip: `${SERVER_NAME}: ready${detail}`, error: false };
    case "off":
      return { text: `$(eye-closed) ${SERVER_NAME}`, tooltip: `${SERVER_NAME}: predicted values hidden`, error: false };
    case "stopped":
      return { text: `$(debug-stop) ${SERVER_NAME}`, tooltip: `${SERVER_NAME}: server stopped${detail}`, error: false };
    case "error":
      return { text: `$(error) ${SERVER_NAME}`, tooltip: `${SERVER_NAME}: error${detail}`, error: true };
  }
}

/** Owns the status bar item. */
export class StatusItem implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;

  constructor() {
    this.item = vscode.window.createStatusBarItem("codeexecutor.status", vscode.StatusBarAlignment.Right, 100);
    this.item.name = SERVER_NAME;
    this.item.command = Commands.showLog;
    this.show({ state: "starting" });
    this.item.show();
  }

  show(status: ServerStatus): void {
    const view = describeStatus(status);
    this.item.text = view.text;
    this.item.tooltip = `${view.tooltip}\n(click to open the log)`;
    this.item.backgroundColor = view.error ? new vscode.ThemeColor("statusBarItem.errorBackground") : undefined;
  }

  dispose(): void {
    this.item.dispose();
  }
}
