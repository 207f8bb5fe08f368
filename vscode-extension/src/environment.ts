/** The Python that runs the server: the discovered one, or a private venv built from the bundled wheel. */

import * as fs from "node:fs";
import * as path from "node:path";
import * as vscode from "vscode";
import { Commands, SECTION, SERVER_MODULE } from "./constants";
import { runCommand, tail } from "./exec";
import type { Logger } from "./log";
import {
  checkServerImportable,
  discoverInterpreter,
  type Interpreter,
  notImportableMessage,
  vscodeSources,
} from "./python";

/** The server needs this Python or newer (pyproject's requires-python). */
export const MIN_PYTHON: readonly [number, number] = [3, 11];

export interface PrivateEnvironment {
  dir: string;
  python: string;
  /** Holds the name of the wheel installed in it, so a newer bundled wheel is noticed. */
  marker: string;
}

/** Where the private venv lives inside the extension's global storage. */
export function privateEnvLayout(storageDir: string, platform: NodeJS.Platform = process.platform): PrivateEnvironment {
  const dir = path.join(storageDir, "venv");
  const python = platform === "win32" ? path.join(dir, "Scripts", "python.exe") : path.join(dir, "bin", "python");
  return { dir, python, marker: path.join(dir, "codeexecutor-wheel.txt") };
}

/** The project's wheel shipped inside the .vsix (bundled/wheels/*.whl), newest name last. */
export function findBundledWheel(extensionDir: string): string | undefined {
  const dir = path.join(extensionDir, "bundled", "wheels");
  if (!fs.existsSync(dir)) {
    return undefined;
  }
  const wheels = fs.readdirSync(dir).filter((name) => name.endsWith(".whl")).sort();
  return wheels.length > 0 ? path.join(dir, wheels[wheels.length - 1]) : undefined;
}

/** Whether the private venv exists and holds exactly this wheel. */
export function isPrivateEnvReady(env: PrivateEnvironment, wheel: string | undefined): boolean {
  if (!fs.existsSync(env.python) || !fs.existsSync(env.marker)) {
    return false;
  }
  return wheel === undefined || fs.readFileSync(env.marker, "utf8").trim() === path.basename(wheel);
}

/** Parses "3.11" into [3, 11]; undefined if it is not a version. */
export function parseVersion(text: string): [number, number] | undefined {
  const match = /^(\d+)\.(\d+)/.exec(text.trim());
  return match ? [Number(match[1]), Number(match[2])] : undefined;
}

export function isSupportedVersion(version: [number, number]): boolean {
  return version[0] > MIN_PYTHON[0] || (version[0] === MIN_PYTHON[0] && version[1] >= MIN_PYTHON[1]);
}

/** Builds the private venv from `basePython`, installs the wheel (its dependencies come from PyPI), checks it. */
export async function createPrivateEnv(
  basePython: string,
  wheel: string,
  env: PrivateEnvironment,
  log: Logger,
  report: (step: string) => void,
): Promise<void> {
  const onLine = (line: string) => log.info(`  ${line}`);
  const versionRun = await runCommand(basePython, ["-c", "import sys; print('%d.%d' % sys.version_info[:2])"]);
  const version = parseVersion(versionRun.stdout);
  if (!version || !isSupportedVersion(version)) {
    throw new Error(
      `${basePython} is Python ${versionRun.stdout.trim() || "(unknown)"}; the server needs ` +
        `${MIN_PYTHON.join(".")} or newer. Install it and set ${SECTION}.interpreter to it.`,
    );
  }
  report("creating the virtual environment");
  fs.rmSync(env.dir, { recursive: true, force: true });
  fs.mkdirSync(path.dirname(env.dir), { recursive: true });
  log.info(`creating a private environment: ${basePython} -m venv ${env.dir}`);
  const venv = await runCommand(basePython, ["-m", "venv", env.dir], { onLine });
  if (venv.code !== 0) {
    throw new Error(
      `${basePython} -m venv failed (${tail(venv.stderr + venv.stdout, 1)}). ` +
        "On Debian/Ubuntu install the venv module: sudo apt install python3-venv",
    );
  }
  report(`installing ${path.basename(wheel)} and its dependencies from PyPI`);
  log.info(`installing ${wheel}`);
  const pip = await runCommand(
    env.python,
    ["-m", "pip", "install", "--disable-pip-version-check", "--no-input", wheel],
    { onLine },
  );
  if (pip.code !== 0) {
    throw new Error(
      `pip install failed (${tail(pip.stderr + pip.stdout, 1)}). Check the network access to PyPI; the log has the details.`,
    );
  }
  report("checking that the server imports");
  const check = await checkServerImportable(env.python);
  if (!check.ok) {
    throw new Error(
      `the environment was built but \`python -c "import ${SERVER_MODULE}"\` fails in it (${check.reason}). ` +
        "The log has pip's output.",
    );
  }
  // Last: the marker says the environment is complete.
  fs.writeFileSync(env.marker, `${path.basename(wheel)}\n`);
}

export interface ResolveContext {
  interpreterSetting: string;
  /** Build the private environment without asking (the codeexecutor.autoSetupEnvironment setting). */
  autoSetup: boolean;
  storageDir: string;
  extensionDir: string;
  resource?: vscode.Uri;
  log: Logger;
}

const SET_UP = "Set Up Private Environment";
const OPEN_SETTINGS = "Open Settings";
const SHOW_LOG = "Show Log";
const RETRY = "Retry";

/**
 * A Python that can `import codeexecutor.server`: the discovered one, else the private venv, set up by itself
 * (or on a click, with autoSetupEnvironment off).
 */
export async function resolveServerPython(ctx: ResolveContext): Promise<Interpreter | undefined> {
  const { log } = ctx;
  const found = await discoverInterpreter(vscodeSources(ctx.interpreterSetting, ctx.resource));
  if (!found) {
    const message =
      `CodeExecutor: no Python found (no ${SECTION}.interpreter setting, no Python extension interpreter, ` +
      `no python3 on PATH). Install Python ${MIN_PYTHON.join(".")}+ or set ${SECTION}.interpreter.`;
    log.error(message);
    void vscode.window.showErrorMessage(message, OPEN_SETTINGS).then(openSettingsIf);
    return undefined;
  }
  log.info(`interpreter: ${found.path} (from ${found.source})`);
  const check = await checkServerImportable(found.path);
  if (check.ok) {
    return found;
  }
  const env = privateEnvLayout(ctx.storageDir);
  const wheel = findBundledWheel(ctx.extensionDir);
  if (isPrivateEnvReady(env, wheel) && (await checkServerImportable(env.python)).ok) {
    log.info(`the server is not importable with ${found.path} (${check.reason}): using the private environment`);
    return { path: env.python, source: "private environment" };
  }
  if (wheel && ctx.autoSetup) {
    // A first run needs no click: the bundled wheel is what the user installed, so set it up now.
    log.info(
      `the server is not importable with ${found.path} (${check.reason}): setting up the private environment ` +
        `from ${path.basename(wheel)} (${SECTION}.autoSetupEnvironment is on)`,
    );
    return buildPrivateEnv(found.path, wheel, env, ctx);
  }
  const message = notImportableMessage(found, check.reason);
  log.error(message);
  const choices = wheel ? [SET_UP, OPEN_SETTINGS, SHOW_LOG] : [OPEN_SETTINGS, SHOW_LOG];
  const choice = await vscode.window.showErrorMessage(message, ...choices);
  if (choice === SHOW_LOG) {
    void vscode.commands.executeCommand(Commands.showLog);
  }
  await openSettingsIf(choice);
  if (choice !== SET_UP || !wheel) {
    return undefined;
  }
  return buildPrivateEnv(found.path, wheel, env, ctx);
}

async function buildPrivateEnv(
  basePython: string,
  wheel: string,
  env: PrivateEnvironment,
  ctx: ResolveContext,
): Promise<Interpreter | undefined> {
  try {
    await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: "CodeExecutor: setting up a private environment" },
      (progress) => createPrivateEnv(basePython, wheel, env, ctx.log, (step) => progress.report({ message: step })),
    );
  } catch (error) {
    const message = setupFailedMessage((error as Error).message);
    ctx.log.error(message);
    void vscode.window.showErrorMessage(message, RETRY, SHOW_LOG, OPEN_SETTINGS).then(async (c) => {
      if (c === RETRY) {
        void vscode.commands.executeCommand(Commands.restart);
      } else if (c === SHOW_LOG) {
        void vscode.commands.executeCommand(Commands.showLog);
      }
      await openSettingsIf(c);
    });
    return undefined;
  }
  ctx.log.info(`private environment ready: ${env.python}`);
  return { path: env.python, source: "private environment" };
}

/** The error shown when the private environment could not be set up: the cause and what to do. */
export function setupFailedMessage(cause: string): string {
  return (
    `CodeExecutor: could not set up the private environment: ${cause} ` +
    `Fix the cause and choose Retry (or run 'CodeExecutor: Restart Server'), or point ${SECTION}.interpreter ` +
    "to a Python with codeexecutor-lsp installed."
  );
}

async function openSettingsIf(choice: string | undefined): Promise<void> {
  if (choice === OPEN_SETTINGS) {
    await vscode.commands.executeCommand("workbench.action.openSettings", `${SECTION}.interpreter`);
  }
}
