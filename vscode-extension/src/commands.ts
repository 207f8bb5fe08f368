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

/** One scenario of the server's answer to codeexecutor.verify (docs/server.md). */
export interface VerifiedScenario {
  name: string;
  call: string;
  values: number;
  right: number;
  real_status: string;
  real_message: string;
}

/** The server's answer to codeexecutor.verify: per scenario, the values its lines show and how many are right. */
export interface VerifySummary {
  values: number;
  right: number;
  scenarios: VerifiedScenario[];
  skipped: { name: string; call: string; why: string }[];
}

function isVerifySummary(answer: unknown): answer is VerifySummary {
  const a = answer as Partial<VerifySummary> | null;
  return (
    a !== null &&
    typeof a === "object" &&
    typeof a.values === "number" &&
    typeof a.right === "number" &&
    Array.isArray(a.scenarios) &&
    Array.isArray(a.skipped)
  );
}

function scenarioName(s: { name: string; call: string }): string {
  return s.call !== "" ? s.call : "the module";
}

/** The short message after a verify: "7 of 9 predicted values are right (real run: ok)"; pure. */
export function describeVerification(answer: unknown): string {
  if (!isVerifySummary(answer)) {
    throw new Error(`CodeExecutor: the server's answer to verify is not a summary: ${JSON.stringify(answer)}`);
  }
  const notOk = answer.scenarios.filter((s) => s.real_status !== "ok");
  let real: string;
  if (answer.scenarios.length === 1) {
    real = `real run: ${answer.scenarios[0].real_status}`;
  } else if (notOk.length === 0) {
    real = "real runs: all ok";
  } else {
    real = "real runs: " + notOk.map((s) => `${scenarioName(s)}: ${s.real_status}`).join(", ") + "; the others ok";
  }
  const counted = answer.values === 0 ? "No predicted values to check" : `${answer.right} of ${answer.values} predicted values are right`;
  let message = `CodeExecutor: ${counted} (${real}).`;
  if (answer.skipped.length > 0) {
    const names = answer.skipped.map(scenarioName).join(", ");
    message += ` Not verified: ${names} (${answer.skipped[0].why}).`;
  }
  return message;
}

export async function verifyPredictions(server: ServerManager): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  if (!editor || editor.document.languageId !== "python") {
    throw new Error("CodeExecutor: open a Python file in the editor first, then verify its predictions.");
  }
  const answer = await server.executeCommand(ServerCommands.verify, [editor.document.uri.toString()]);
  void vscode.window.showInformationMessage(describeVerification(answer));
}
