/** Running a helper process (the interpreter checks, venv creation, pip) with its output in the log. */

import { spawn } from "node:child_process";

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  cwd?: string;
  /** The whole environment (default: the extension host's). */
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
  /** Called with each line of output as it arrives (pip's progress goes to the log live). */
  onLine?: (line: string) => void;
}

/** Runs `command args`; resolves with the exit code and output, rejects only if it could not start. */
export function runCommand(command: string, args: string[], options: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env, shell: false });
    // Our own timer, not spawn's `timeout`: that one is never cleared when the command fails to start.
    const timer = options.timeoutMs === undefined ? undefined : setTimeout(() => child.kill(), options.timeoutMs);
    let stdout = "";
    let stderr = "";
    let partial = "";
    const onData = (chunk: Buffer, toStdout: boolean) => {
      const text = chunk.toString();
      if (toStdout) {
        stdout += text;
      } else {
        stderr += text;
      }
      if (options.onLine) {
        const lines = (partial + text).split(/\r?\n/);
        partial = lines.pop() ?? "";
        lines.filter((l) => l.trim() !== "").forEach(options.onLine);
      }
    };
    child.stdout.on("data", (c: Buffer) => onData(c, true));
    child.stderr.on("data", (c: Buffer) => onData(c, false));
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      if (options.onLine && partial.trim() !== "") {
        options.onLine(partial);
      }
      resolve({ code, stdout, stderr });
    });
  });
}

/** The last few non-empty lines of a process's output: what a user needs to see in an error message. */
export function tail(text: string, lines = 3): string {
  return text
    .split(/\r?\n/)
    .filter((l) => l.trim() !== "")
    .slice(-lines)
    .join("\n");
}
