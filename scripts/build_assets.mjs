// Builds static/dist from node_modules and static/src: CSS with Dart Sass, JavaScript copied
// from the pinned packages. static/dist is gitignored; run through `make assets`.
import { copyFileSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as sass from "sass";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const dist = join(root, "static", "dist");
mkdirSync(dist, { recursive: true });

const result = sass.compile(join(root, "static", "src", "gatehouse.scss"), {
  style: "compressed",
  importers: [new sass.NodePackageImporter(root)],
  quietDeps: true,
  silenceDeprecations: ["import"],
});
writeFileSync(join(dist, "gatehouse.css"), result.css);

const copies = [
  ["node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js", "govuk-frontend.min.js"],
  ["node_modules/htmx.org/dist/htmx.min.js", "htmx.min.js"],
];
for (const [from, to] of copies) {
  copyFileSync(join(root, from), join(dist, to));
}
process.stdout.write(`built ${dist}\n`);
