// Prints the code-server user settings for the e2e run: node settings.mjs PYTHON MODEL_DIR > settings.json
const [python, modelDir] = process.argv.slice(2);
if (!python || modelDir === undefined) {
  console.error("usage: node settings.mjs PYTHON MODEL_DIR");
  process.exit(2);
}
const settings = {
  // The extension under test.
  "codeexecutor.interpreter": python,
  "codeexecutor.modelPath": modelDir,
  "codeexecutor.debounceMs": 200,
  // The test model memorises a few programs: on an edited line it is unsure, and the default threshold
  // (0.9, chosen for the shipped model) would hide the value the edit check waits for.
  "codeexecutor.confidenceThreshold": 0,
  "codeexecutor.logLevel": "debug",
  "editor.inlayHints.enabled": "on",
  "editor.hover.delay": 200,
  // A quiet, predictable workbench: nothing that pops over the editor or phones home.
  "workbench.startupEditor": "none",
  "workbench.tips.enabled": false,
  "workbench.enableExperiments": false,
  "workbench.secondarySideBar.defaultVisibility": "hidden",
  "security.workspace.trust.enabled": false,
  "telemetry.telemetryLevel": "off",
  "extensions.autoCheckUpdates": false,
  "extensions.autoUpdate": false,
  "update.mode": "none",
  "chat.disableAIFeatures": true,
  "editor.minimap.enabled": false,
  "editor.fontSize": 14,
  "editor.lineHeight": 20,
  "files.autoSave": "off",
};
process.stdout.write(`${JSON.stringify(settings, null, 2)}\n`);
