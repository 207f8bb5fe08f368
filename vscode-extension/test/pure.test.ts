import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, it } from "node:test";
import { describeVerification, enabledAfterToggle } from "../src/commands";
import {
  createPrivateEnv,
  findBundledWheel,
  isPrivateEnvReady,
  isSupportedVersion,
  parseVersion,
  privateEnvLayout,
  setupFailedMessage,
} from "../src/environment";
import { functionAt, validateCall } from "../src/example";
import { describeStatus } from "../src/status";

describe("functionAt", () => {
  const lines = [
    "import math", //                      0
    "", //                                 1
    "# example: area(2)", //               2
    "def area(r):", //                     3
    "    s = r * r", //                    4
    "", //                                 5
    "    def inner(x):", //                6
    "        return x + 1", //             7
    "    # a comment", //                  8
    "    return math.pi * s", //           9
    "", //                                 10
    "class Shape:", //                     11
    "    async def grow(self, k):", //     12
    "        self.k = k", //               13
    "x = area(3)", //                      14
    "@decorator", //                       15
    "def deco(y):", //                     16
    "    return y", //                     17
  ];

  it("finds the innermost function around the cursor", () => {
    assert.equal(functionAt(lines, 3), "area");
    assert.equal(functionAt(lines, 4), "area");
    assert.equal(functionAt(lines, 5), "area");
    assert.equal(functionAt(lines, 7), "inner");
    assert.equal(functionAt(lines, 8), "area");
    assert.equal(functionAt(lines, 9), "area");
    assert.equal(functionAt(lines, 13), "grow");
    assert.equal(functionAt(lines, 17), "deco");
  });

  it("finds none in module code or outside the file", () => {
    assert.equal(functionAt(lines, 0), undefined);
    assert.equal(functionAt(lines, 2), undefined);
    assert.equal(functionAt(lines, 11), undefined);
    assert.equal(functionAt(lines, 14), undefined);
    assert.equal(functionAt(lines, 99), undefined);
  });

  it("accepts a call and rejects what is not one", () => {
    assert.equal(validateCall("area(2)", "area"), undefined);
    assert.equal(validateCall("  ", "area"), "Write a call to area, e.g. area(3, [1, 2])");
    assert.equal(validateCall("area", "area"), "A call looks like area(3, [1, 2])");
  });
});

describe("describeStatus", () => {
  it("shows each server state", () => {
    assert.equal(describeStatus({ state: "starting" }).text, "$(loading~spin) CodeExecutor");
    assert.equal(describeStatus({ state: "predicting", pending: 3 }).text, "$(sync~spin) CodeExecutor: predicting 3");
    assert.equal(describeStatus({ state: "predicting", pending: 1 }).tooltip, "CodeExecutor: predicting 1 scenario");
    assert.equal(
      describeStatus({ state: "predicting", pending: 2, message: "predicting 2 scenarios" }).tooltip,
      "CodeExecutor: predicting 2 scenarios",
    );
    assert.equal(
      describeStatus({ state: "predicting", pending: 2, message: "sample.py" }).tooltip,
      "CodeExecutor: predicting 2 scenarios\nsample.py",
    );
    assert.equal(describeStatus({ state: "ready" }).text, "$(check) CodeExecutor");
    assert.deepEqual(describeStatus({ state: "error", message: "model missing" }), {
      text: "$(error) CodeExecutor",
      tooltip: "CodeExecutor: error\nmodel missing",
      error: true,
    });
    assert.equal(describeStatus({ state: "off" }).text, "$(eye-closed) CodeExecutor");
  });
});

describe("toggle answer", () => {
  it("believes the server's answer, else flips", () => {
    assert.equal(enabledAfterToggle(false, true), false);
    assert.equal(enabledAfterToggle({ enabled: true }, true), true);
    assert.equal(enabledAfterToggle(null, true), false);
    assert.equal(enabledAfterToggle(undefined, false), true);
  });
});

describe("verify summary", () => {
  const scenario = (name: string, call: string, values: number, right: number, real_status = "ok") => ({
    name, call, values, right, real_status, real_message: "",
  });

  it("counts the right values and says how the real run ended", () => {
    assert.equal(
      describeVerification({ values: 9, right: 7, scenarios: [scenario("<module>", "", 9, 7)], skipped: [] }),
      "CodeExecutor: 7 of 9 predicted values are right (real run: ok).",
    );
    assert.equal(
      describeVerification({
        values: 16, right: 13, skipped: [],
        scenarios: [scenario("<module>", "", 9, 9), scenario("sq", "sq(4)", 3, 0), scenario("f", "f(1)", 4, 4)],
      }),
      "CodeExecutor: 13 of 16 predicted values are right (real runs: all ok).",
    );
  });

  it("names a real run that did not end ok, and the scenarios not verified", () => {
    assert.equal(
      describeVerification({
        values: 5, right: 2,
        scenarios: [scenario("<module>", "", 3, 2), scenario("loop", "loop(9)", 2, 0, "timeout")],
        skipped: [{ name: "g", call: "g(2)", why: "the model is still predicting it" }],
      }),
      "CodeExecutor: 2 of 5 predicted values are right (real runs: loop(9): timeout; the others ok). " +
        "Not verified: g(2) (the model is still predicting it).",
    );
    assert.equal(
      describeVerification({ values: 0, right: 0, scenarios: [scenario("<module>", "", 0, 0, "error")], skipped: [] }),
      "CodeExecutor: No predicted values to check (real run: error).",
    );
  });

  it("refuses an answer that is not a summary", () => {
    assert.throws(() => describeVerification(null), /the server's answer to verify is not a summary: null/);
  });
});

describe("private environment", () => {
  it("lives in the global storage, one python per platform", () => {
    assert.deepEqual(privateEnvLayout("/store", "linux"), {
      dir: "/store/venv",
      python: "/store/venv/bin/python",
      marker: "/store/venv/codeexecutor-wheel.txt",
    });
    assert.equal(privateEnvLayout("/store", "win32").python, path.join("/store/venv", "Scripts", "python.exe"));
  });

  it("needs Python 3.11 or newer", () => {
    assert.deepEqual(parseVersion("3.11\n"), [3, 11]);
    assert.equal(parseVersion("Python"), undefined);
    assert.equal(isSupportedVersion([3, 11]), true);
    assert.equal(isSupportedVersion([3, 13]), true);
    assert.equal(isSupportedVersion([3, 10]), false);
    assert.equal(isSupportedVersion([4, 0]), true);
  });

  it("finds the bundled wheel and knows when the venv holds it", () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "ce-env-"));
    try {
      assert.equal(findBundledWheel(root), undefined);
      const wheels = path.join(root, "bundled", "wheels");
      fs.mkdirSync(wheels, { recursive: true });
      fs.writeFileSync(path.join(wheels, "codeexecutor_lsp-0.1.0-py3-none-any.whl"), "");
      const wheel = findBundledWheel(root);
      assert.equal(wheel, path.join(wheels, "codeexecutor_lsp-0.1.0-py3-none-any.whl"));
      const env = privateEnvLayout(path.join(root, "store"), "linux");
      assert.equal(isPrivateEnvReady(env, wheel), false);
      fs.mkdirSync(path.dirname(env.python), { recursive: true });
      fs.writeFileSync(env.python, "");
      fs.writeFileSync(env.marker, "codeexecutor_lsp-0.0.9-py3-none-any.whl\n");
      assert.equal(isPrivateEnvReady(env, wheel), false); // an older wheel: set up again
      fs.writeFileSync(env.marker, "codeexecutor_lsp-0.1.0-py3-none-any.whl\n");
      assert.equal(isPrivateEnvReady(env, wheel), true);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it("fails a setup whose wheel pip cannot install with the cause, and leaves it not ready (a real python3)", async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "ce-setup-"));
    try {
      const wheel = path.join(root, "codeexecutor_lsp-0.1.0-py3-none-any.whl");
      fs.writeFileSync(wheel, "not a zip file");
      const env = privateEnvLayout(path.join(root, "store"));
      const steps: string[] = [];
      const lines: string[] = [];
      const log = { info: (m: string) => lines.push(m), warn: () => {}, error: () => {}, debug: () => {} };
      await assert.rejects(createPrivateEnv("python3", wheel, env, log, (step) => steps.push(step)), (error: Error) => {
        assert.match(error.message, /^pip install failed \(.+\)\. Check the network access to PyPI; the log has the details\.$/);
        return true;
      });
      assert.deepEqual(steps, [
        "creating the virtual environment",
        "installing codeexecutor_lsp-0.1.0-py3-none-any.whl and its dependencies from PyPI",
      ]);
      assert.equal(fs.existsSync(env.python), true);
      assert.equal(isPrivateEnvReady(env, wheel), false); // no marker: the next start sets it up again
      assert.ok(lines.some((l) => l === `installing ${wheel}`));
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it("says what failed and what to do", () => {
    assert.equal(
      setupFailedMessage("pip install failed (No matching distribution). Check the network access to PyPI; the log has the details."),
      "CodeExecutor: could not set up the private environment: pip install failed (No matching distribution). " +
        "Check the network access to PyPI; the log has the details. Fix the cause and choose Retry (or run " +
        "'CodeExecutor: Restart Server'), or point codeexecutor.interpreter to a Python with codeexecutor-lsp installed.",
    );
  });
});
