import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it, mock } from "node:test";
import { RestartCoalescer } from "../src/restart";

const noError = (error: unknown) => assert.fail(`unexpected restart error: ${String(error)}`);

/** Lets pending promise callbacks run (the coalescer awaits the restart). */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

describe("RestartCoalescer", () => {
  beforeEach(() => mock.timers.enable({ apis: ["setTimeout"] }));
  afterEach(() => mock.timers.reset());

  it("restarts once for several triggers within the window", async () => {
    const runs: string[][] = [];
    const coalescer = new RestartCoalescer(async (reasons) => void runs.push(reasons), 1000, noError);
    void coalescer.request("interpreter");
    mock.timers.tick(300);
    void coalescer.request("modelPath");
    mock.timers.tick(300);
    const last = coalescer.request("interpreter again");
    mock.timers.tick(399);
    await settle();
    assert.deepEqual(runs, []);
    mock.timers.tick(1);
    await last;
    assert.deepEqual(runs, [["interpreter", "modelPath", "interpreter again"]]);
  });

  it("restarts again, once, for triggers that arrive while a restart runs", async () => {
    const runs: string[][] = [];
    let finish: () => void = () => {};
    const coalescer = new RestartCoalescer(
      (reasons) => {
        runs.push(reasons);
        return new Promise<void>((resolve) => (finish = resolve));
      },
      1000,
      noError,
    );
    const first = coalescer.request("a");
    mock.timers.tick(1000);
    await settle();
    assert.deepEqual(runs, [["a"]]);
    const second = coalescer.request("b");
    void coalescer.request("c");
    mock.timers.tick(5000); // nothing starts while the first restart runs
    await settle();
    assert.equal(runs.length, 1);
    finish();
    await first;
    mock.timers.tick(1000);
    await settle();
    assert.deepEqual(runs, [["a"], ["b", "c"]]);
    finish();
    await second;
  });

  it("an immediate request (the restart command) does not wait for the window", async () => {
    const runs: string[][] = [];
    const coalescer = new RestartCoalescer(async (reasons) => void runs.push(reasons), 1000, noError);
    void coalescer.request("setting");
    const done = coalescer.request("command", true);
    mock.timers.tick(0);
    await done;
    assert.deepEqual(runs, [["setting", "command"]]);
    mock.timers.tick(2000);
    await settle();
    assert.equal(runs.length, 1);
  });

  it("reports a failed restart and still resolves the waiters", async () => {
    const errors: unknown[] = [];
    const coalescer = new RestartCoalescer(
      async () => {
        throw new Error("boom");
      },
      10,
      (e) => errors.push(e),
    );
    const done = coalescer.request("x");
    mock.timers.tick(10);
    await done;
    assert.equal((errors[0] as Error).message, "boom");
  });
});
