// The sample workspace of the e2e run: a script, and a file with a function that has a `# example:` comment
// and one that has none. `node workspace.mjs DIR` writes it; drive.mjs imports FILES to know each line.
// make_model.py trains the e2e model on every scenario of these files, so its predictions are exact.
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

export const FILES = {
  "sample.py": ["total = 0", "for i in range(3):", "    total += i", "print(total)", ""].join("\n"),
  "functions.py": [
    "# example: sq(3)",
    "def sq(n):",
    "    r = n * n",
    "    return r",
    "",
    "",
    "def greet(name):",
    '    message = "hi " + name',
    "    return message",
    "",
  ].join("\n"),
};

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const dir = process.argv[2];
  if (!dir) {
    console.error("usage: node workspace.mjs DIR");
    process.exit(2);
  }
  fs.mkdirSync(dir, { recursive: true });
  for (const [name, text] of Object.entries(FILES)) {
    fs.writeFileSync(path.join(dir, name), text);
  }
}
