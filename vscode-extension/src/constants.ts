/** Names shared by the extension's parts: the settings section, commands, and the server's protocol. */

export const SERVER_NAME = "CodeExecutor";
/** The settings section, mirrored to the server under the same name. */
export const SECTION = "codeexecutor";
/** `python -m codeexecutor.server` starts the language server on stdio. */
export const SERVER_MODULE = "codeexecutor.server";

/** Commands the extension contributes (package.json `contributes.commands`). */
export const Commands = {
  toggle: "codeexecutor.toggle",
  restart: "codeexecutor.restart",
  showLog: "codeexecutor.showLog",
  setExample: "codeexecutor.setExample",
  clearCache: "codeexecutor.clearCache",
  verify: "codeexecutor.verify",
} as const;

/** Commands the server answers over workspace/executeCommand (same ids as ours: see server.ts on why). */
export const ServerCommands = {
  toggle: "codeexecutor.toggle",
  setExample: "codeexecutor.setExample",
  clearCache: "codeexecutor.clearCache",
  verify: "codeexecutor.verify",
} as const;

/** The server's custom notification: {state, pending, message}. */
export const STATUS_NOTIFICATION = "codeexecutor/status";

/** Several restart triggers within this window restart the server once. */
export const RESTART_COALESCE_MS = 1000;
