// Bundles the extension (and, with --tests, the unit tests against the stubbed `vscode` module) with esbuild.
import * as esbuild from "esbuild";
import { readdirSync, rmSync } from "node:fs";

const production = process.argv.includes("--production");
const watch = process.argv.includes("--watch");
const tests = process.argv.includes("--tests");

const common = {
  bundle: true,
  platform: "node",
  target: "node20",
  format: "cjs",
  sourcemap: !production,
  minify: production,
  logLevel: "info",
};

if (tests) {
  rmSync("out-test", { recursive: true, force: true });
  const entryPoints = readdirSync("test")
    .filter((name) => name.endsWith(".test.ts"))
    .map((name) => `test/${name}`);
  // The real `vscode` module exists only inside the editor: the tests get a small stub in its place.
  await esbuild.build({
    ...common,
    entryPoints,
    outdir: "out-test",
    alias: { vscode: "./test/vscodeStub.ts" },
  });
} else {
  const options = {
    ...common,
    entryPoints: ["src/extension.ts"],
    outfile: "dist/extension.js",
    external: ["vscode"],
  };
  if (watch) {
    await (await esbuild.context(options)).watch();
  } else {
    await esbuild.build(options);
  }
}
