// Prints vitest's own counts from its JSON report as the plain line CI reads.
import { readFileSync } from "node:fs";

const path = process.argv[2];
let report;
try {
  report = JSON.parse(readFileSync(path, "utf8"));
} catch (error) {
  console.error(`ci: no vitest report at ${path}: ${error.message}`);
  console.log("0 passed, 1 failed");
  process.exit(1);
}
const { numPassedTests, numFailedTests, numPendingTests, numTodoTests } = report;
const skipped = numPendingTests + numTodoTests;
console.log(`${numPassedTests} passed, ${numFailedTests} failed${skipped ? `, ${skipped} skipped` : ""}`);
process.exit(numFailedTests === 0 && numPassedTests > 0 && report.success ? 0 : 1);
