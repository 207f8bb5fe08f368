/** Finding the Python that runs the server: the setting, then the Python extension (if any), then PATH. */

import * as fs from "node:fs";
import * as path from "node:path";
import * as vscode from "vscode";
import { SECTION, SERVER_MODULE } from "./constants";
import { runCommand, tail } from "./exec";

export type InterpreterSource = "setting" | "Python extension" | "PATH" | "private environment";

export interface Interpreter {
  path: string;
  source: InterpreterSource;
}

/** Where interpreters can come from, in the order they are tried. Injected so the order can be tested. */
export interface InterpreterSources {
  /** `codeexecutor.interpreter`, already expanded; "" when unset. */
  setting(): string;
  /** The Python extension's active interpreter; undefined when that extension is not installed. */
  pythonExtension(): Promise<string | undefined>;
  /** `python3` found on PATH. */
  onPath(): string | undefined;
}

/** The first interpreter the sources offer, with where it came from. */
export async function discoverInterpreter(sources: InterpreterSources): Promise<Interpreter | undefined> {
  const fromSetting = sources.setting();
  if (fromSetting !== "") {
    // An explicit setting wins even if it turns out to be broken: the import check then names the setting,
    // rather than silently running some other Python.
    return { path: fromSetting, source: "setting" };
  }
  const fromExtension = await sources.pythonExtension();
  if (fromExtension) {
    return { path: fromExtension, source: "Python extension" };
  }
  const fromPath = sources.onPath();
  return fromPath ? { path: fromPath, source: "PATH" } : undefined;
}

/** Finds an executable on a PATH string (pure apart from `isExecutable`). */
export function findOnPath(
  name: string,
  pathVariable: string | undefined,
  isExecutable: (file: string) => boolean,
  platform: NodeJS.Platform = process.platform,
): string | undefined {
  const names = platform === "win32" ? [`${name}.exe`, `${name}.cmd`] : [name];
  for (const dir of (pathVariable ?? "").split(path.delimiter)) {
    if (dir === "") {
      continue;
    }
    for (const candidate of names) {
      const file = path.join(dir, candidate);
      if (isExecutable(file)) {
        return file;
      }
    }
  }
  return undefined;
}

export function isExecutableFile(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false; // missing or not executable: not a candidate
  }
}

/** The slice of the Python extension's API we use (ms-python.python exports `environments`). */
interface PythonExtensionApi {
  environments?: {
    getActiveEnvironmentPath(resource?: vscode.Uri): { path: string } | undefined;
    resolveEnvironment(env: { path: string } | string): Promise<{ executable?: { uri?: vscode.Uri } } | undefined>;
    onDidChangeActiveEnvironmentPath?: vscode.Event<unknown>;
  };
}

const PYTHON_EXTENSION_ID = "ms-python.python";

async function pythonExtensionApi(): Promise<PythonExtensionApi | undefined> {
  // Optional: no extensionDependencies. Absent -> undefined, and discovery moves on to PATH.
  const extension = vscode.extensions.getExtension<PythonExtensionApi>(PYTHON_EXTENSION_ID);
  if (!extension) {
    return undefined;
  }
  return extension.isActive ? extension.exports : await extension.activate();
}

/** The Python extension's active interpreter for a resource, if that extension is installed. */
export async function pythonExtensionInterpreter(resource?: vscode.Uri): Promise<string | undefined> {
  const environments = (await pythonExtensionApi())?.environments;
  const active = environments?.getActiveEnvironmentPath(resource);
  if (!environments || !active) {
    return undefined;
  }
  const resolved = await environments.resolveEnvironment(active);
  return resolved?.executable?.uri?.fsPath ?? active.path;
}

/** Subscribes to the Python extension's interpreter changes; undefined when it is not installed. */
export async function onPythonExtensionInterpreterChange(
  listener: () => void,
): Promise<vscode.Disposable | undefined> {
  const event = (await pythonExtensionApi())?.environments?.onDidChangeActiveEnvironmentPath;
  return event ? event(listener) : undefined;
}

/** The real sources, for a document's scope. */
export function vscodeSources(interpreterSetting: string, resource?: vscode.Uri): InterpreterSources {
  return {
    setting: () => interpreterSetting,
    pythonExtension: () => pythonExtensionInterpreter(resource),
    onPath: () => findOnPath("python3", process.env.PATH, isExecutableFile),
  };
}

/**
 * The environment the server and its import check run in. PYTHONSAFEPATH (Python 3.11+): the cwd (the
 * workspace folder, for the server) is not put on sys.path, so a workspace package named `codeexecutor`
 * cannot stand in for ours.
 */
export function serverEnvironment(base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return { ...base, PYTHONSAFEPATH: "1", PYTHONUNBUFFERED: "1" };
}

export type ImportCheck = { ok: true } | { ok: false; reason: string };

/** Whether `python -c "import codeexecutor.server"` works, in the server's environment, from `cwd`. */
export async function checkServerImportable(python: string, cwd?: string): Promise<ImportCheck> {
  try {
    const result = await runCommand(python, ["-c", `import ${SERVER_MODULE}`], { cwd, env: serverEnvironment(), timeoutMs: 60_000 });
    if (result.code === 0) {
      return { ok: true };
    }
    return { ok: false, reason: tail(result.stderr, 1) || `exit code ${result.code}` };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { ok: false, reason: code === "ENOENT" ? `${python} does not exist` : String(error) };
  }
}

/** The sentence shown when the chosen Python cannot run the server: the cause and the ways out. */
export function notImportableMessage(interpreter: Interpreter, reason: string): string {
  const where =
    interpreter.source === "setting"
      ? `${interpreter.path} (from the ${SECTION}.interpreter setting)`
      : `${interpreter.path} (from ${interpreter.source})`;
  return (
    `CodeExecutor: the language server is not installed for the Python at ${where}: ` +
    `\`python -c "import ${SERVER_MODULE}"\` failed (${reason}). ` +
    `Set up a private environment for it, or point ${SECTION}.interpreter to a Python with codeexecutor-lsp installed.`
  );
}
