import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, describe, it } from "node:test";
import {
  checkServerImportable,
  discoverInterpreter,
  findOnPath,
  type InterpreterSources,
  notImportableMessage,
  vscodeSources,
} from "../src/python";
import { stubState, Uri } from "./vscodeStub";

function sources(setting: string, extension: string | undefined, onPath: string | undefined) {
  const asked: string[] = [];
  const s: InterpreterSources = {
    setting: () => (asked.push("setting"), setting),
    pythonExtension: async () => (asked.push("extension"), extension),
    onPath: () => (asked.push("path"), onPath),
  };
  return { s, asked };
}

describe("discoverInterpreter", () => {
  it("takes the setting first and asks nothing else", async () => {
    const { s, asked } = sources("/opt/py/bin/python", "/ext/python", "/usr/bin/python3");
    assert.deepEqual(await discoverInterpreter(s), { path: "/opt/py/bin/python", source: "setting" });
    assert.deepEqual(asked, ["setting"]);
  });

  it("then the Python extension's interpreter", async () => {
    const { s, asked } = sources("", "/ext/python", "/usr/bin/python3");
    assert.deepEqual(await discoverInterpreter(s), { path: "/ext/python", source: "Python extension" });
    assert.deepEqual(asked, ["setting", "extension"]);
  });

  it("then python3 on PATH", async () => {
    const { s, asked } = sources("", undefined, "/usr/bin/python3");
    assert.deepEqual(await discoverInterpreter(s), { path: "/usr/bin/python3", source: "PATH" });
    assert.deepEqual(asked, ["setting", "extension", "path"]);
  });

  it("finds nothing when no source has one", async () => {
    const { s } = sources("", undefined, undefined);
    assert.equal(await discoverInterpreter(s), undefined);
  });
});

describe("the Python extension source (through the vscode stub)", () => {
  afterEach(() => stubState.reset());

  it("is skipped when ms-python.python is not installed", async () => {
    const s = vscodeSources("", undefined);
    assert.equal(await s.pythonExtension(), undefined);
  });

  it("gives the extension's resolved active interpreter, activating the extension if needed", async () => {
    let activated = false;
    const api = {
      environments: {
        getActiveEnvironmentPath: () => ({ path: "/envs/a" }),
        resolveEnvironment: async (env: { path: string }) => ({ executable: { uri: Uri.file(`${env.path}/bin/python`) } }),
      },
    };
    stubState.extensions.set("ms-python.python", {
      isActive: false,
      exports: undefined,
      activate: async () => ((activated = true), api),
    });
    const found = await discoverInterpreter(vscodeSources("", undefined));
    assert.deepEqual(found, { path: "/envs/a/bin/python", source: "Python extension" });
    assert.equal(activated, true);
  });
});

describe("findOnPath", () => {
  it("returns the first executable match in PATH order", () => {
    const present = new Set(["/b/python3", "/c/python3"]);
    assert.equal(findOnPath("python3", "/a::/b:/c", (f) => present.has(f), "linux"), "/b/python3");
    assert.equal(findOnPath("python3", "/a", (f) => present.has(f), "linux"), undefined);
    assert.equal(findOnPath("python3", undefined, () => true, "linux"), undefined);
  });
});

describe("checkServerImportable (a real python3)", () => {
  it("succeeds when `codeexecutor.server` is installed, not when the cwd holds it, and names the failure", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ce-import-"));
    try {
      assert.deepEqual(await checkServerImportable("python3", dir), {
        ok: false,
        reason: "ModuleNotFoundError: No module named 'codeexecutor'",
      });
      fs.mkdirSync(path.join(dir, "codeexecutor", "server"), { recursive: true });
      fs.writeFileSync(path.join(dir, "codeexecutor", "__init__.py"), "");
      fs.writeFileSync(path.join(dir, "codeexecutor", "server", "__init__.py"), "");
      // A package in the cwd (the workspace folder, for the server) does not count: PYTHONSAFEPATH.
      assert.deepEqual(await checkServerImportable("python3", dir), {
        ok: false,
        reason: "ModuleNotFoundError: No module named 'codeexecutor'",
      });
      const saved = process.env.PYTHONPATH;
      process.env.PYTHONPATH = dir; // installed, as far as this python3 can tell
      try {
        assert.deepEqual(await checkServerImportable("python3", os.tmpdir()), { ok: true });
      } finally {
        if (saved === undefined) {
          delete process.env.PYTHONPATH;
        } else {
          process.env.PYTHONPATH = saved;
        }
      }
      assert.deepEqual(await checkServerImportable(path.join(dir, "no-python"), dir), {
        ok: false,
        reason: `${path.join(dir, "no-python")} does not exist`,
      });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("says where the interpreter came from, the cause and both fixes", () => {
    const message = notImportableMessage({ path: "/p/python", source: "setting" }, "No module named 'codeexecutor'");
    assert.equal(
      message,
      "CodeExecutor: the language server is not installed for the Python at /p/python (from the " +
        "codeexecutor.interpreter setting): `python -c \"import codeexecutor.server\"` failed (No module named 'codeexecutor'). " +
        "Set up a private environment for it, or point codeexecutor.interpreter to a Python with codeexecutor-lsp installed.",
    );
  });
});
