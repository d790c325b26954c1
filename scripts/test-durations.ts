// Where a test run's time went, from vitest's JSON report (`.ci/results.json`
// after `bash .ci/run`, or `npx vitest run --reporter=json --outputFile.json=<file>`):
//   npx tsx scripts/test-durations.ts <report.json> [more reports...]
// Per group of test files (the folder under test/): wall time from its first
// file's start to its last file's end, the files' own time, the time between
// files (a new runtime per file: workerd or a stack starting), and what the
// first test of each file took beyond its file's typical test (warming up a
// fresh runtime). Then the ten slowest files.
import { readFileSync } from "node:fs";

type Report = {
  testResults: { name: string; startTime: number; endTime: number; assertionResults: { duration?: number | null }[] }[];
};

const seconds = (ms: number) => (ms / 1000).toFixed(0).padStart(5);
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

for (const path of process.argv.slice(2)) {
  const files = (JSON.parse(readFileSync(path, "utf8")) as Report).testResults.map((file) => ({
    ...file,
    name: file.name.replace(/^.*?\btest\//, ""),
    durations: file.assertionResults.map((test) => test.duration ?? 0),
  }));
  const start = Math.min(...files.map((file) => file.startTime));
  const end = Math.max(...files.map((file) => file.endTime));
  console.log(`${path}: ${files.length} files, ${seconds(end - start)} s from the first file's start to the last one's end`);
  console.log("group            from  wall files  between  first-test extra");
  const groups = new Map<string, typeof files>();
  for (const file of files) {
    const group = file.name.split("/")[0]!;
    groups.set(group, [...(groups.get(group) ?? []), file]);
  }
  for (const [group, members] of groups) {
    members.sort((a, b) => a.startTime - b.startTime);
    const from = members[0]!.startTime;
    const to = Math.max(...members.map((file) => file.endTime));
    const own = members.reduce((sum, file) => sum + file.endTime - file.startTime, 0);
    const between = members.slice(1).reduce((sum, file, i) => sum + Math.max(0, file.startTime - members[i]!.endTime), 0);
    const firstExtra = members.reduce((sum, file) => sum + Math.max(0, (file.durations[0] ?? 0) - median(file.durations.slice(1))), 0);
    console.log(`${group.padEnd(15)} ${seconds(from - start)} ${seconds(to - from)} ${seconds(own)} ${seconds(between)}    ${seconds(firstExtra)}`);
  }
  console.log("slowest files:");
  for (const file of [...files].sort((a, b) => b.endTime - b.startTime - (a.endTime - a.startTime)).slice(0, 10)) {
    console.log(`  ${seconds(file.endTime - file.startTime)} s  ${file.name}`);
  }
}
