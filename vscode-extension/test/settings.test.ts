import assert from "node:assert/strict";
import { afterEach, describe, it } from "node:test";
import * as os from "node:os";
import {
  answerConfiguration,
  DEFAULT_SERVER_SETTINGS,
  expandPath,
  needsRestart,
  parseSettings,
  readSettings,
} from "../src/settings";
import { stubState, Uri } from "./vscodeStub";

const ctx = { workspaceFolder: "/ws", home: "/home/u" };
/** The stub's Uri stands in for vscode.Uri at run time (esbuild alias); tell the type checker so. */
const asVscodeUri = (uri: Uri) => uri as unknown as import("vscode").Uri;

describe("parseSettings", () => {
  it("gives the server's defaults when nothing is set", () => {
    const settings = parseSettings(() => undefined, ctx);
    assert.deepEqual(settings, {
      interpreter: "",
      autoSetupEnvironment: true,
      server: { ...DEFAULT_SERVER_SETTINGS },
      problems: [],
    });
    assert.deepEqual(settings.server, {
      enable: true,
      maxHintLength: 40,
      confidenceThreshold: 0.9,
      maxHoverRows: 10,
      debounceMs: 300,
      modelPath: "",
      maxSteps: 200,
      constrainedDecoding: true,
      logLevel: "info",
    });
  });

  it("passes every set value through, paths expanded", () => {
    const values: Record<string, unknown> = {
      interpreter: "${workspaceFolder}/.venv/bin/python",
      enable: false,
      maxHintLength: 25,
      confidenceThreshold: 0.8,
      maxHoverRows: 3,
      debounceMs: 150,
      modelPath: "~/models/m1",
      autoSetupEnvironment: false,
      maxSteps: 50,
      constrainedDecoding: false,
      logLevel: "debug",
    };
    const settings = parseSettings((key) => values[key], ctx);
    assert.equal(settings.interpreter, "/ws/.venv/bin/python");
    assert.equal(settings.autoSetupEnvironment, false);
    assert.deepEqual(settings.server, {
      enable: false,
      maxHintLength: 25,
      confidenceThreshold: 0.8,
      maxHoverRows: 3,
      debounceMs: 150,
      modelPath: "/home/u/models/m1",
      maxSteps: 50,
      constrainedDecoding: false,
      logLevel: "debug",
    });
    assert.deepEqual(settings.problems, []);
  });

  it("replaces wrongly typed values by the defaults and says so", () => {
    const values: Record<string, unknown> = { enable: "yes", maxSteps: "many", logLevel: "loud", interpreter: 3 };
    const settings = parseSettings((key) => values[key], ctx);
    assert.equal(settings.server.enable, true);
    assert.equal(settings.server.maxSteps, 200);
    assert.equal(settings.server.logLevel, "info");
    assert.equal(settings.interpreter, "");
    assert.deepEqual(settings.problems, [
      "codeexecutor.interpreter = 3 is not a path: ignoring it",
      'codeexecutor.enable = "yes" is not valid: using true',
      'codeexecutor.maxSteps = "many" is not valid: using 200',
      'codeexecutor.logLevel = "loud" is not valid: using "info"',
    ]);
  });

  it("clamps numbers into their ranges", () => {
    const values: Record<string, unknown> = {
      confidenceThreshold: 1.5, maxHintLength: 1, debounceMs: -5, maxSteps: 2.6, maxHoverRows: 5000,
    };
    const server = parseSettings((key) => values[key], ctx).server;
    assert.equal(server.confidenceThreshold, 1);
    assert.equal(server.maxHintLength, 4);
    assert.equal(server.debounceMs, 0);
    assert.equal(server.maxSteps, 3);
    assert.equal(server.maxHoverRows, 1000);
  });
});

describe("expandPath", () => {
  it("expands the workspace folder, the home folder and ~", () => {
    assert.equal(expandPath("${workspaceFolder}/m", ctx), "/ws/m");
    assert.equal(expandPath("${userHome}/m", ctx), "/home/u/m");
    assert.equal(expandPath("~/m", ctx), "/home/u/m");
    assert.equal(expandPath("~", ctx), "/home/u");
    assert.equal(expandPath("  /abs/m ", ctx), "/abs/m");
    assert.equal(expandPath("", ctx), "");
    assert.equal(expandPath("a~b", ctx), "a~b");
  });
});

describe("needsRestart", () => {
  const changed = (...keys: string[]) => (section: string) =>
    keys.some((k) => k === section || k.startsWith(`${section}.`));

  it("restarts for the interpreter and the model, not for live settings", () => {
    assert.equal(needsRestart(changed("codeexecutor.interpreter")), true);
    assert.equal(needsRestart(changed("codeexecutor.modelPath")), true);
    assert.equal(needsRestart(changed("codeexecutor.maxHintLength")), false);
    assert.equal(needsRestart(changed("codeexecutor.enable", "codeexecutor.logLevel")), false);
    assert.equal(needsRestart(changed("editor.fontSize")), false);
  });
});

describe("readSettings (through the vscode stub)", () => {
  afterEach(() => stubState.reset());

  it("reads the codeexecutor section and expands against the first workspace folder", () => {
    stubState.folders = [{ uri: Uri.file("/work/proj"), name: "proj", index: 0 }];
    stubState.settings.set("codeexecutor.modelPath", "${workspaceFolder}/weights");
    stubState.settings.set("codeexecutor.interpreter", "~/py/bin/python");
    stubState.settings.set("codeexecutor.debounceMs", 120);
    stubState.settings.set("other.debounceMs", 999);
    const settings = readSettings();
    assert.equal(settings.server.modelPath, "/work/proj/weights");
    assert.equal(settings.interpreter, `${os.homedir()}/py/bin/python`);
    assert.equal(settings.server.debounceMs, 120);
  });
});

describe("answerConfiguration (the server's workspace/configuration request)", () => {
  afterEach(() => stubState.reset());

  it("answers our section with the parsed settings of the item's scope, others with VS Code's answer", () => {
    stubState.folders = [
      { uri: Uri.file("/a"), name: "a", index: 0 },
      { uri: Uri.file("/b"), name: "b", index: 1 },
    ];
    stubState.settings.set("codeexecutor.modelPath", "${workspaceFolder}/m");
    stubState.settings.set("codeexecutor.maxSteps", 7);
    const items = [{ section: "codeexecutor", scopeUri: "file:///b/x.py" }, { section: "editor" }, { section: "codeexecutor" }];
    const answer = answerConfiguration(items, ["raw", { tabSize: 4 }, "raw"], (scope) =>
      readSettings(scope ? asVscodeUri(Uri.parse(scope)) : undefined).server,
    );
    assert.deepEqual(answer[0], { ...DEFAULT_SERVER_SETTINGS, modelPath: "/b/m", maxSteps: 7 });
    assert.deepEqual(answer[1], { tabSize: 4 });
    assert.deepEqual(answer[2], { ...DEFAULT_SERVER_SETTINGS, modelPath: "/a/m", maxSteps: 7 });
  });
});
