/** The extension's settings: read once per use, typed, and turned into what the server receives. */

import * as os from "node:os";
import * as path from "node:path";
import * as vscode from "vscode";
import { SECTION } from "./constants";

export type LogLevel = "error" | "warning" | "info" | "debug";
const LOG_LEVELS: readonly LogLevel[] = ["error", "warning", "info", "debug"];

/** Exactly what the server reads from its "codeexecutor" section (workspace/configuration, initializationOptions). */
export interface ServerSettings {
  enable: boolean;
  maxHintLength: number;
  confidenceThreshold: number;
  debounceMs: number;
  modelPath: string;
  maxSteps: number;
  constrainedDecoding: boolean;
  logLevel: LogLevel;
}

/** Everything the extension itself needs: the server's settings plus how to start it. */
export interface ExtensionSettings {
  interpreter: string;
  server: ServerSettings;
  /** Values that were ignored for having the wrong type, said in words for the log. */
  problems: string[];
}

export const DEFAULT_SERVER_SETTINGS: Readonly<ServerSettings> = {
  enable: true,
  maxHintLength: 40,
  confidenceThreshold: 0.5,
  debounceMs: 300,
  modelPath: "",
  maxSteps: 200,
  constrainedDecoding: true,
  logLevel: "info",
};

/** Settings whose change needs a new server process; the others are applied live by the server. */
export const RESTART_SETTINGS: readonly string[] = ["interpreter", "modelPath"];

/** Where `${workspaceFolder}` and `~` point when a path setting is expanded. */
export interface PathContext {
  workspaceFolder?: string;
  home: string;
}

/** Expands `${workspaceFolder}`, `${userHome}` and a leading `~`; an empty value stays empty (= the default). */
export function expandPath(value: string, ctx: PathContext): string {
  let out = value.trim();
  if (out === "") {
    return out;
  }
  out = out.replace(/\$\{userHome\}/g, ctx.home);
  if (ctx.workspaceFolder !== undefined) {
    out = out.replace(/\$\{workspaceFolder\}/g, ctx.workspaceFolder);
  }
  if (out === "~" || out.startsWith("~/")) {
    out = path.join(ctx.home, out.slice(1));
  }
  return out;
}

type Getter = (key: string) => unknown;

function pick<T>(get: Getter, key: keyof ServerSettings, ok: (v: unknown) => v is T, problems: string[]): T {
  const value = get(key);
  if (ok(value)) {
    return value;
  }
  // A value of the wrong type (hand-edited settings.json) must not reach the server: use the default and
  // say so in the log.
  const fallback = DEFAULT_SERVER_SETTINGS[key] as T;
  if (value !== undefined) {
    problems.push(`${SECTION}.${key} = ${JSON.stringify(value)} is not valid: using ${JSON.stringify(fallback)}`);
  }
  return fallback;
}

const isBool = (v: unknown): v is boolean => typeof v === "boolean";
const isNumber = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);
const isString = (v: unknown): v is string => typeof v === "string";
const isLogLevel = (v: unknown): v is LogLevel => LOG_LEVELS.includes(v as LogLevel);

/** Builds typed settings from a configuration getter (pure: `vscode` is only touched by `readSettings`). */
export function parseSettings(get: Getter, ctx: PathContext): ExtensionSettings {
  const problems: string[] = [];
  const interpreter = get("interpreter");
  if (interpreter !== undefined && !isString(interpreter)) {
    problems.push(`${SECTION}.interpreter = ${JSON.stringify(interpreter)} is not a path: ignoring it`);
  }
  return {
    interpreter: expandPath(isString(interpreter) ? interpreter : "", ctx),
    server: {
      enable: pick(get, "enable", isBool, problems),
      maxHintLength: Math.max(4, Math.round(pick(get, "maxHintLength", isNumber, problems))),
      confidenceThreshold: Math.min(1, Math.max(0, pick(get, "confidenceThreshold", isNumber, problems))),
      debounceMs: Math.max(0, Math.round(pick(get, "debounceMs", isNumber, problems))),
      modelPath: expandPath(pick(get, "modelPath", isString, problems), ctx),
      maxSteps: Math.max(1, Math.round(pick(get, "maxSteps", isNumber, problems))),
      constrainedDecoding: pick(get, "constrainedDecoding", isBool, problems),
      logLevel: pick(get, "logLevel", isLogLevel, problems),
    },
    problems,
  };
}

/** Whether a configuration change needs a server restart (interpreter, modelPath), not just a live update. */
export function needsRestart(affects: (section: string) => boolean): boolean {
  return RESTART_SETTINGS.some((key) => affects(`${SECTION}.${key}`));
}

/** Whether a configuration change touches our section at all. */
export function affectsUs(affects: (section: string) => boolean): boolean {
  return affects(SECTION);
}

/**
 * Answers a workspace/configuration request: items asking for our section get the typed, expanded server
 * settings (`ours`), every other item keeps VS Code's own answer.
 */
export function answerConfiguration(
  items: readonly { section?: string; scopeUri?: string }[],
  vscodeAnswer: readonly unknown[],
  ours: (scopeUri?: string) => ServerSettings,
): unknown[] {
  return items.map((item, i) => (item.section === SECTION ? ours(item.scopeUri) : vscodeAnswer[i]));
}

/** Reads the settings for a document (or the first workspace folder) from VS Code. */
export function readSettings(scope?: vscode.Uri): ExtensionSettings {
  const folder = scope ? vscode.workspace.getWorkspaceFolder(scope) : vscode.workspace.workspaceFolders?.[0];
  const config = vscode.workspace.getConfiguration(SECTION, scope ?? folder?.uri);
  return parseSettings((key) => config.get(key), { workspaceFolder: folder?.uri.fsPath, home: os.homedir() });
}
