// Drives code-server in Debian's headless Chromium (playwright-core) and checks, in the editor's DOM, that the
// CodeExecutor extension shows predicted values. Started by scripts/e2e_vscode.sh, which sets:
//   E2E_URL, E2E_NODE_MODULES (where playwright-core is), E2E_ARTIFACTS, E2E_MODE, E2E_START, E2E_USER_DATA,
//   E2E_FIRST_RUN (1: the server is not installed for the extension's Python, a first run).
//
// An inlay hint is text VS Code injects into a rendered line, so a line whose rendered text is longer than
// its source text carries a hint: that difference is what the checks read.

import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as os from "node:os";
import * as path from "node:path";
import { FILES } from "./workspace.mjs";

const env = (name) => {
  const value = process.env[name];
  if (!value) {
    console.error(`drive.mjs: ${name} is not set (run scripts/e2e_vscode.sh)`);
    process.exit(2);
  }
  return value;
};
const PAGE_URL = env("E2E_URL");
const ARTIFACTS = env("E2E_ARTIFACTS");
const MODE = process.env.E2E_MODE ?? "full";
const START = Number(process.env.E2E_START ?? Math.floor(Date.now() / 1000));
const USER_DATA = env("E2E_USER_DATA");
const FIRST_RUN = process.env.E2E_FIRST_RUN === "1";
const { chromium } = createRequire(path.join(env("E2E_NODE_MODULES"), "noop.js"))("playwright-core");

const SHOTS = path.join(ARTIFACTS, "screenshots");
fs.mkdirSync(SHOTS, { recursive: true });
/** file -> its source lines, kept up to date as the checks edit the files. */
const SOURCES = Object.fromEntries(Object.entries(FILES).map(([name, text]) => [name, text.split("\n")]));
// Every wait is multiplied by E2E_TIMEOUT_SCALE: a 2-core machine shared with training jobs is slow.
const SCALE = Number(process.env.E2E_TIMEOUT_SCALE ?? "1");
const ms = (n) => Math.round(n * SCALE);
const MODEL_WAIT_MS = ms(180_000); // the first predictions include loading the model

const log = (message) => console.error(`[drive ${Math.floor(Date.now() / 1000) - START}s] ${message}`);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(what, probe, timeoutMs, pollMs = 500) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    last = await probe();
    if (last) {
      return last;
    }
    await sleep(pollMs);
  }
  throw new Error(`timed out after ${timeoutMs / 1000}s waiting for ${what}`);
}

let shotNumber = 0;
async function shot(page, name) {
  shotNumber += 1;
  const file = path.join(SHOTS, `${String(shotNumber).padStart(2, "0")}-${name}.png`);
  await page.screenshot({ path: file });
  log(`screenshot ${file}`);
  return file;
}

// ---- reading the editor -----------------------------------------------------------------------------------

/** The active editor's rendered lines, top to bottom: [{line, text}] (line is 0-based). */
async function renderedLines(page) {
  return page.evaluate(() => {
    const editor =
      document.querySelector(".editor-group-container.active .monaco-editor") ??
      document.querySelector(".part.editor .monaco-editor");
    if (!editor) {
      return [];
    }
    const rows = [...editor.querySelectorAll(".view-lines .view-line")].map((el) => ({
      top: parseFloat(el.style.top || "0"),
      height: el.getBoundingClientRect().height,
      text: (el.textContent ?? "").replace(/\u00a0/g, " "),
    }));
    rows.sort((a, b) => a.top - b.top);
    const lineHeight = rows.length > 0 && rows[0].height > 0 ? rows[0].height : 20;
    return rows.map((r) => ({ line: Math.round(r.top / lineHeight), text: r.text }));
  });
}

/** line -> hint text for every line whose rendered text is more than its source. */
async function hintsIn(page, source) {
  const hints = {};
  for (const { line, text } of await renderedLines(page)) {
    const expected = (source[line] ?? "").trimEnd();
    const rendered = text.trimEnd();
    // Hints sit at the end of the line: anything else (a line that differs from its source) is no hint.
    if (rendered.length > expected.length && rendered.startsWith(expected)) {
      hints[line] = rendered.slice(expected.length).trim();
    }
  }
  return hints;
}

async function lineBox(page, line) {
  const boxes = await page.$$eval(".editor-group-container.active .monaco-editor .view-lines .view-line", (els) =>
    els.map((el) => {
      const r = el.getBoundingClientRect();
      return { top: parseFloat(el.style.top || "0"), x: r.x, y: r.y, width: r.width, height: r.height };
    }),
  );
  boxes.sort((a, b) => a.top - b.top);
  const lineHeight = boxes[0]?.height || 20;
  const box = boxes.find((b) => Math.round(b.top / lineHeight) === line);
  if (!box) {
    throw new Error(`line ${line + 1} is not rendered`);
  }
  return box;
}

// ---- driving the workbench --------------------------------------------------------------------------------

async function quickPick(page, key, text) {
  await page.keyboard.press(key);
  const input = page.locator(".quick-input-widget .quick-input-box input");
  await input.waitFor({ state: "visible", timeout: ms(30_000) });
  await page.keyboard.type(text, { delay: 10 });
  await page.locator(".quick-input-widget .monaco-list-row").first().waitFor({ state: "visible", timeout: ms(30_000) });
  await sleep(300);
  await page.keyboard.press("Enter");
}

async function runCommand(page, title) {
  log(`command: ${title}`);
  await quickPick(page, "F1", title);
}

async function openFile(page, name) {
  log(`open ${name}`);
  // The Explorer, not Quick Open: Quick Open's file search can lag for many seconds on a busy machine.
  const row = page.locator(".explorer-folders-view .monaco-list-row", { hasText: name }).first();
  await row.waitFor({ state: "visible", timeout: ms(60_000) });
  await row.dblclick();
  await page
    .locator(`.editor-group-container.active .tab.active[aria-label^="${name}"]`)
    .waitFor({ state: "visible", timeout: ms(60_000) });
  await page.locator(".editor-group-container.active .monaco-editor .view-lines").waitFor({ timeout: ms(60_000) });
}

/** The notification toasts on screen: [{text, severity}] (severity from the icon: error, warning, info). */
async function toasts(page) {
  return page.evaluate(() =>
    [...document.querySelectorAll(".notifications-toasts .notification-toast")].map((toast) => {
      const icon = toast.querySelector(".notification-list-item-icon")?.className ?? "";
      const severity = ["error", "warning", "info"].find((s) => icon.includes(`codicon-${s}`)) ?? icon;
      const text = (toast.querySelector(".notification-list-item-message")?.textContent ?? "").trim();
      return { text, severity };
    }),
  );
}

async function statusText(page) {
  return page.evaluate(() => {
    const items = [...document.querySelectorAll(".part.statusbar .statusbar-item")];
    const ours = items.find((el) => (el.textContent ?? "").includes("CodeExecutor"));
    return ours ? (ours.getAttribute("aria-label") || ours.textContent || "").trim() : "";
  });
}

/** The extension's log file ("CodeExecutor" output channel) under the user data folder. */
function extensionLog() {
  const found = [];
  const walk = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        walk(full);
      } else if (entry.name.includes("CodeExecutor") && entry.name.endsWith(".log")) {
        found.push(full);
      }
    }
  };
  const logs = path.join(USER_DATA, "logs");
  if (fs.existsSync(logs)) {
    walk(logs);
  }
  return found.map((file) => fs.readFileSync(file, "utf8")).join("\n");
}

/** Pids of the language server processes (`python -m codeexecutor.server`) in code-server's process group. */
function serverPids() {
  const group = Number(process.env.E2E_SERVER_PGID);
  if (!group) {
    throw new Error("E2E_SERVER_PGID is not set (run scripts/e2e_vscode.sh)");
  }
  const pids = [];
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) {
      continue;
    }
    try {
      // /proc/PID/stat: "pid (comm) state ppid pgrp ..."; comm may hold spaces, so split after ")".
      const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
      const pgrp = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[2]);
      const cmd = fs.readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0");
      if (pgrp === group && cmd.includes("-m") && cmd.includes("codeexecutor.server")) {
        pids.push(Number(entry));
      }
    } catch {
      // the process ended while we looked: not a candidate
    }
  }
  return pids;
}

// ---- the checks -------------------------------------------------------------------------------------------

const checks = {};
const details = {};

async function check(page, name, body) {
  log(`check: ${name}`);
  try {
    details[name] = await body();
    checks[name] = "passed";
    log(`  passed ${details[name] !== undefined ? JSON.stringify(details[name]) : ""}`);
  } catch (error) {
    checks[name] = `failed: ${error.message}`;
    log(`  FAILED: ${error.message}`);
    await shot(page, `failed-${name}`).catch(() => {});
  }
}

async function startupChecks(page) {
  await check(page, "extension_activates", async () => {
    await openFile(page, "sample.py");
    const text = await waitFor("the CodeExecutor status item", () => statusText(page), ms(120_000));
    return { status: text };
  });
  if (FIRST_RUN) {
    await check(page, "first_run_sets_up_environment", firstRun(page));
  }
  await check(page, "server_process_starts", async () => {
    const line = await waitFor(
      "'server running' in the CodeExecutor log",
      () => extensionLog().split("\n").find((l) => l.includes("server running:")),
      ms(90_000),
    );
    await shot(page, "server-started");
    return { log: line.trim() };
  });
}

/** A first run: the private environment is set up with a progress notification, no error and no click. */
function firstRun(page) {
  return async () => {
    const started = Date.now();
    let progress;
    const ready = await waitFor(
      "'private environment ready' in the CodeExecutor log (no click, no error notification)",
      async () => {
        for (const toast of await toasts(page)) {
          if (toast.severity === "error") {
            throw new Error(`an error notification: ${toast.text}`);
          }
          if (!progress && toast.text.includes("setting up a private environment")) {
            progress = toast.text;
            await shot(page, "first-run-progress");
          }
        }
        return extensionLog().split("\n").find((l) => l.includes("private environment ready:"));
      },
      ms(300_000),
    );
    const setup = extensionLog().split("\n").find((l) => l.includes("setting up the private environment"));
    if (!setup) {
      throw new Error("the log has no line saying why the private environment is set up");
    }
    if (!progress) {
      throw new Error("no progress notification was shown while the private environment was set up");
    }
    return { seconds: Math.round((Date.now() - started) / 1000), progress, log: ready.trim() };
  };
}

async function verifyCheck(page) {
  await check(page, "verify_marks_hints", async () => {
    await openFile(page, "sample.py");
    await runCommand(page, "CodeExecutor: Verify Predictions by Running This File in the Sandbox");
    const marked = await waitFor(
      "a ✓ or ✗ mark in a hint of sample.py after verify",
      async () => {
        const h = await hintsIn(page, SOURCES["sample.py"]);
        return Object.values(h).some((t) => /[✓✗]/.test(t)) ? h : undefined;
      },
      MODEL_WAIT_MS,
    );
    const summary = await waitFor(
      "the verify summary notification",
      async () => (await toasts(page)).find((t) => t.text.includes("predicted values"))?.text,
      ms(30_000),
    );
    await shot(page, "verified");
    return { summary, hints: marked };
  });
}

async function fullChecks(page) {
  await check(page, "script_hints", async () => {
    await openFile(page, "sample.py");
    const hints = await waitFor(
      "predicted values on sample.py",
      async () => {
        const h = await hintsIn(page, SOURCES["sample.py"]);
        return Object.keys(h).length > 0 ? h : undefined;
      },
      MODEL_WAIT_MS,
    );
    await sleep(1000); // let the remaining hints of the same prediction land before the picture
    await shot(page, "script-hints");
    return await hintsIn(page, SOURCES["sample.py"]).then((h) => (Object.keys(h).length ? h : hints));
  });

  await check(page, "function_example_hints", async () => {
    await openFile(page, "functions.py");
    const source = SOURCES["functions.py"];
    const body = [2, 3]; // `r = n * n`, `return r` in sq(), which has `# example: sq(3)`
    const hints = await waitFor(
      "predicted values in sq()",
      async () => {
        const h = await hintsIn(page, source);
        return body.some((l) => h[l] !== undefined) ? h : undefined;
      },
      MODEL_WAIT_MS,
    );
    await shot(page, "function-example-hints");
    return hints;
  });

  await check(page, "new_line_gets_hint", async () => {
    await openFile(page, "sample.py");
    const source = [...SOURCES["sample.py"]];
    // The file ends with a newline, so its last line is empty: type the new statement there.
    const newLine = source.length - 1;
    const box = await lineBox(page, 0);
    await page.mouse.click(box.x + 10, box.y + box.height / 2); // focus the editor's text
    await page.keyboard.press("Control+End");
    const typed = "double = total * 2";
    await page.keyboard.type(typed, { delay: 20 });
    source[newLine] = typed;
    source.push("");
    const hint = await waitFor(
      `a predicted value on the new line ${newLine + 1}`,
      async () => (await hintsIn(page, source))[newLine],
      MODEL_WAIT_MS,
    );
    await shot(page, "new-line-hint");
    SOURCES["sample.py"] = source;
    return { line: newLine + 1, hint };
  });

  await check(page, "hover_shows_state", async () => {
    const line = 2; // `    total += i`
    const box = await lineBox(page, line);
    await page.mouse.move(box.x + 40, box.y + box.height / 2);
    const hover = page.locator(".monaco-hover:not(.hidden) .monaco-hover-content, .monaco-hover:not(.hidden) .hover-contents");
    const text = await waitFor(
      "the hover of line 3",
      async () => {
        const n = await hover.count();
        for (let i = 0; i < n; i++) {
          const t = (await hover.nth(i).textContent()) ?? "";
          if (/predict/i.test(t)) {
            return t;
          }
        }
        return undefined;
      },
      ms(30_000),
    );
    await shot(page, "hover");
    await page.mouse.move(5, 5);
    await page.keyboard.press("Escape");
    return { hover: text.slice(0, 200) };
  });

  await check(page, "toggle_hides_and_shows", async () => {
    await runCommand(page, "CodeExecutor: Toggle Predicted Values");
    await waitFor(
      "predicted values to disappear",
      async () => Object.keys(await hintsIn(page, SOURCES["sample.py"])).length === 0,
      ms(30_000),
    );
    const status = await statusText(page);
    await shot(page, "toggled-off");
    await runCommand(page, "CodeExecutor: Toggle Predicted Values");
    await waitFor(
      "predicted values to come back",
      async () => Object.keys(await hintsIn(page, SOURCES["sample.py"])).length > 0,
      MODEL_WAIT_MS,
    );
    return { statusWhileOff: status };
  });

  await check(page, "set_example_command", async () => {
    await openFile(page, "functions.py");
    const source = SOURCES["functions.py"];
    const bodyLine = source.findIndex((l) => l.includes('message = "hi " + name'));
    const box = await lineBox(page, bodyLine);
    await page.mouse.click(box.x + 60, box.y + box.height / 2); // the cursor inside greet()'s body
    await runCommand(page, "CodeExecutor: Set Example Call for This Function");
    // Wait for our input box (its title), not just any quick input: the command palette may still be closing.
    await page
      .locator(".quick-input-widget .quick-input-title", { hasText: "example call for greet" })
      .waitFor({ state: "visible", timeout: ms(60_000) });
    const input = page.locator(".quick-input-widget .quick-input-box input");
    const prefilled = await input.inputValue();
    if (prefilled !== "greet()") {
      throw new Error(`the input box should offer "greet()", it offers ${JSON.stringify(prefilled)}`);
    }
    await page.keyboard.type('"bob"'); // the cursor waits between the parentheses
    const call = await input.inputValue();
    if (call !== 'greet("bob")') {
      throw new Error(`typing into the input box gave ${JSON.stringify(call)}, not greet("bob")`);
    }
    await page.keyboard.press("Enter");
    const hint = await waitFor(
      "predicted values in greet() after setting its example",
      async () => {
        const h = await hintsIn(page, source);
        return h[bodyLine] ?? h[bodyLine + 1];
      },
      MODEL_WAIT_MS,
    );
    await shot(page, "set-example");
    return { call, hint };
  });
}

async function crashCheck(page) {
  await check(page, "crash_reported_and_restartable", async () => {
    const [pid] = serverPids();
    if (!pid) {
      throw new Error("no language server process found in code-server's process group");
    }
    const runningBefore = extensionLog().split("server running:").length;
    log(`killing the language server (pid ${pid}) to check the crash report`);
    process.kill(pid, "SIGKILL");
    const toast = page.locator(".notifications-toasts .notification-toast", {
      hasText: "the language server stopped unexpectedly",
    });
    await toast.waitFor({ state: "visible", timeout: ms(60_000) });
    const buttons = await toast.locator(".monaco-button").allTextContents();
    const hintsAfterCrash = Object.keys(await hintsIn(page, SOURCES["functions.py"])).length;
    await shot(page, "crash-reported");
    await toast.locator(".monaco-button", { hasText: "Restart" }).click();
    await waitFor(
      "the server to run again after Restart",
      () => extensionLog().split("server running:").length > runningBefore,
      ms(120_000),
    );
    // Only a live server sends ready/predicting (the extension itself shows starting, then error on a
    // crash); hints alone would not do, as VS Code may redraw its cached ones.
    const status = await waitFor(
      "the new server to report ready or predicting",
      async () => {
        const text = await statusText(page);
        return /CodeExecutor: (ready|predicting)/.test(text) ? text : undefined;
      },
      MODEL_WAIT_MS,
    );
    const hints = await hintsIn(page, SOURCES["functions.py"]);
    await shot(page, "restarted");
    return { buttons, hintsAfterCrash, status, hints };
  });
}

// ---- main -------------------------------------------------------------------------------------------------

const profile = fs.mkdtempSync(path.join(os.tmpdir(), "codeexecutor-chromium-"));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: "/usr/bin/chromium",
  headless: true,
  viewport: { width: 1400, height: 850 },
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ],
});
let failed = true;
try {
  const page = context.pages()[0] ?? (await context.newPage());
  log(`opening ${PAGE_URL}`);
  await page.goto(PAGE_URL, { waitUntil: "domcontentloaded", timeout: ms(60_000) });
  await page.locator(".monaco-workbench").waitFor({ timeout: ms(90_000) });
  await page.locator(".part.statusbar").waitFor({ timeout: ms(60_000) });
  await sleep(2000); // the workbench restores its layout and starts the extension host
  await shot(page, "workbench");

  await startupChecks(page);
  if (MODE !== "--startup-only") {
    await fullChecks(page);
    await crashCheck(page);
    await verifyCheck(page);
  }
  await runCommand(page, "CodeExecutor: Show Log").catch(() => {});
  await sleep(1500);
  await shot(page, "log");
  failed = Object.values(checks).some((v) => v !== "passed");
} catch (error) {
  log(`aborted: ${error.stack ?? error}`);
} finally {
  await context.close();
  fs.rmSync(profile, { recursive: true, force: true });
}
// The extension's log (its output channel, with the server's stderr) beside the screenshots, for CI.
fs.writeFileSync(path.join(ARTIFACTS, "codeexecutor-extension.log"), extensionLog());
fs.writeFileSync(path.join(ARTIFACTS, "e2e-details.json"), `${JSON.stringify({ checks, details }, null, 2)}\n`);
const seconds = Math.floor(Date.now() / 1000) - START;
console.log(JSON.stringify({ e2e: failed ? "failed" : "passed", seconds, checks }));
process.exit(failed ? 1 : 0);
