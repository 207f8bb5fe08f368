/** codeexecutor.setExample: which function the cursor is in, and asking the user for a call to predict. */

import * as vscode from "vscode";

const DEF = /^(\s*)(?:async\s+)?def\s+([A-Za-z_]\w*)\s*\(/;

function indentOf(line: string): number {
  return line.length - line.trimStart().length;
}

function isCode(line: string): boolean {
  const trimmed = line.trim();
  return trimmed !== "" && !trimmed.startsWith("#");
}

/** The name of the innermost function whose body (or `def` line) holds `line` (0-based); pure. */
export function functionAt(lines: readonly string[], line: number): string | undefined {
  if (line < 0 || line >= lines.length) {
    return undefined;
  }
  // Walk up from the cursor; every line indented less than all code seen so far opens an enclosing block.
  let innermost = lines[line].trim() !== "" ? indentOf(lines[line]) : Number.POSITIVE_INFINITY;
  for (let i = line; i >= 0; i--) {
    const text = lines[i];
    if (!isCode(text)) {
      continue;
    }
    const indent = indentOf(text);
    const def = DEF.exec(text);
    if (def && (i === line || indent < innermost)) {
      return def[2];
    }
    if (indent < innermost) {
      innermost = indent;
      if (indent === 0 && !text.trimStart().startsWith("@")) {
        return undefined; // reached a top-level statement that is not a def: the cursor is in module code
      }
    }
  }
  return undefined;
}

/** Checks the typed call; a message for the input box, or undefined when it is fine. */
export function validateCall(text: string, functionName: string): string | undefined {
  const call = text.trim();
  if (call === "") {
    return `Write a call to ${functionName}, e.g. ${functionName}(3, [1, 2])`;
  }
  if (!call.includes("(") || !call.endsWith(")")) {
    return `A call looks like ${functionName}(3, [1, 2])`;
  }
  return undefined;
}

export interface ExampleRequest {
  uri: string;
  functionName: string;
  callText: string;
}

/** Asks for the example call of the function at the cursor; undefined when there is none or it is cancelled. */
export async function askForExample(editor: vscode.TextEditor | undefined): Promise<ExampleRequest | undefined> {
  if (!editor || editor.document.languageId !== "python") {
    void vscode.window.showWarningMessage("CodeExecutor: open a Python file and put the cursor in a function.");
    return undefined;
  }
  const lines = editor.document.getText().split(/\r?\n/);
  const functionName = functionAt(lines, editor.selection.active.line);
  if (!functionName) {
    void vscode.window.showWarningMessage(
      "CodeExecutor: the cursor is not inside a function: put it in the function to give an example call for.",
    );
    return undefined;
  }
  const value = `${functionName}()`;
  const callText = await vscode.window.showInputBox({
    title: `CodeExecutor: example call for ${functionName}`,
    prompt: "The call whose execution is predicted (the same as a `# example:` comment above the function)",
    value,
    valueSelection: [value.length - 1, value.length - 1],
    validateInput: (text) => validateCall(text, functionName),
  });
  if (callText === undefined) {
    return undefined;
  }
  return { uri: editor.document.uri.toString(), functionName, callText: callText.trim() };
}
