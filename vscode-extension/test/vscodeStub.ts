/** A small stand-in for the `vscode` module (esbuild aliases `vscode` to this file in the unit tests). */

import * as path from "node:path";

export class Uri {
  private constructor(
    readonly scheme: string,
    readonly fsPath: string,
  ) {}
  static file(fsPath: string): Uri {
    return new Uri("file", path.resolve(fsPath));
  }
  static parse(text: string): Uri {
    const match = /^(\w+):\/\/(.*)$/.exec(text);
    return match ? new Uri(match[1], decodeURIComponent(match[2])) : new Uri("file", text);
  }
  toString(): string {
    return `${this.scheme}://${this.fsPath}`;
  }
}

/** What the tests control: settings per scope, workspace folders, installed extensions. */
export const stubState = {
  /** Flat "section.key" -> value for the whole workspace. */
  settings: new Map<string, unknown>(),
  folders: [] as { uri: Uri; name: string; index: number }[],
  extensions: new Map<string, unknown>(),
  reset(): void {
    this.settings.clear();
    this.folders = [];
    this.extensions.clear();
  },
};

export const workspace = {
  get workspaceFolders() {
    return stubState.folders.length > 0 ? stubState.folders : undefined;
  },
  getWorkspaceFolder(uri: Uri) {
    return stubState.folders.find((f) => uri.fsPath.startsWith(f.uri.fsPath));
  },
  getConfiguration(section: string) {
    return {
      get: (key: string) => stubState.settings.get(`${section}.${key}`),
    };
  },
  onDidChangeConfiguration: () => ({ dispose() {} }),
};

export const extensions = {
  getExtension(id: string) {
    return stubState.extensions.get(id);
  },
};

export enum StatusBarAlignment {
  Left = 1,
  Right = 2,
}

export class ThemeColor {
  constructor(readonly id: string) {}
}

export const window = {
  createOutputChannel() {
    throw new Error("not stubbed: the tests do not need a real output channel");
  },
  createStatusBarItem() {
    return { text: "", tooltip: "", show() {}, dispose() {} };
  },
};
