/** The extension's settings: read once per use, typed, and turned into what the server receives. */

import * as os from "node:os";
import * as path from "node:path";
import * as vscode from "vscode";
import { SECTION } from "./constants";

import manifest from "../package.json";

/**
 * Every setting's name, type, default and bounds are declared once, in package.json's
 * `contributes.configuration` (what VS Code shows). The defaults and bounds below are read from there;
 * tests/test_settings_declared_once.py checks that the server's own defaults (server/config.py) agree.
 */
interface Declared {
  type: "boolean" | "integer" | "number" | "string";
  default: unknown;
  minimum?: number;
  maximum?: number;
  enum?: string[];
}
const DECLARED = manifest.contributes.configuration.properties as Record<string, Declared>;

export type LogLevel = "error" | "warning" | "info" | "debug";

/** Exactly what the server reads from its "codeexecutor" section (workspace/configuration, initializationOptions). */
export interface ServerSettings {
  enable: boolean;
  maxHintLength: number;
  confidenceThreshold: number;
  maxHoverRows: number;
  debounceMs: number;
  modelPath: string;
  maxSteps: number;
  constrainedDecoding: boolean;
  logLevel: LogLevel;
}

/** Declared settings the extension keeps for itself; every other one is sent to the server. */
export const EXTENSION_ONLY_SETTINGS: readonly string[] = ["interpreter", "autoSetupEnvironment"];
/** Server settings that are paths (`${workspaceFolder}` and `~` expanded before they are sent). */
const PATH_SETTINGS: readonly string[] = ["modelPath"];

/** Everything the extension itself needs: the server's settings plus how to start it. */
export interface ExtensionSettings {
  interpreter: string;
  autoSetupEnvironment: boolean;
  server: ServerSettings;
  /** Values that were ignored for having the wrong type, said in words for the log. */
  problems: string[];
}

function declared(key: string): Declared {
  const entry = DECLARED[`${SECTION}.${key}`];
  if (entry === undefined) {
    throw new Error(`${SECTION}.${key} is not declared in package.json`);
  }
  return entry;
}

/** The names of the server's settings, in package.json's order. */
export const SERVER_SETTING_KEYS: readonly string[] = Object.keys(DECLARED)
  .map((name) => name.slice(SECTION.length + 1))
  .filter((key) => !EXTENSION_ONLY_SETTINGS.includes(key));

export const DEFAULT_SERVER_SETTINGS: Readonly<ServerSettings> = Object.fromEntries(
  SERVER_SETTING_KEYS.map((key) => [key, declared(key).default]),
) as unknown as ServerSettings;

/**
 * A value of the declared type, numbers rounded (integers) and clamped to the declared bounds;
 * `undefined` for a value of the wrong type.
 */
export function checkValue(spec: Declared, value: unknown): unknown {
  switch (spec.type) {
    case "boolean":
      return typeof value === "boolean" ? value : undefined;
    case "string":
      if (typeof value !== "string") {
        return undefined;
      }
      return spec.enum === undefined || spec.enum.includes(value) ? value : undefined;
    case "integer":
    case "number": {
      if (typeof value !== "number" || !Number.isFinite(value)) {
        return undefined;
      }
      const n = spec.type === "integer" ? Math.round(value) : value;
      return Math.min(spec.maximum ?? Infinity, Math.max(spec.minimum ?? -Infinity, n));
    }
  }
}

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

/** The value of `key`, or its declared default when the value has the wrong type (said in `problems`). */
function pick(get: Getter, key: string, problems: string[]): unknown {
  const spec = declared(key);
  const value = get(key);
  const checked = checkValue(spec, value);
  if (checked !== undefined) {
    return checked;
  }
  // A value of the wrong type (hand-edited settings.json) must not reach the server: use the default and
  // say so in the log.
  if (value !== undefined) {
    problems.push(`${SECTION}.${key} = ${JSON.stringify(value)} is not valid: using ${JSON.stringify(spec.default)}`);
  }
  return spec.default;
}

/** Builds typed settings from a configuration getter (pure: `vscode` is only touched by `readSettings`). */
export function parseSettings(get: Getter, ctx: PathContext): ExtensionSettings {
  const problems: string[] = [];
  const interpreter = get("interpreter");
  if (interpreter !== undefined && typeof interpreter !== "string") {
    problems.push(`${SECTION}.interpreter = ${JSON.stringify(interpreter)} is not a path: ignoring it`);
  }
  const server = Object.fromEntries(
    SERVER_SETTING_KEYS.map((key) => {
      const value = pick(get, key, problems);
      return [key, PATH_SETTINGS.includes(key) ? expandPath(value as string, ctx) : value];
    }),
  ) as unknown as ServerSettings;
  return {
    interpreter: expandPath(typeof interpreter === "string" ? interpreter : "", ctx),
    autoSetupEnvironment: pick(get, "autoSetupEnvironment", problems) as boolean,
    server,
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
