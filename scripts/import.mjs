#!/usr/bin/env node
/**
 * `npm run import -- --file <path> [--url <base>] [--key <secret>] [--batch 500] [--report <path>] [--dry-run]`:
 * users from Clerk's dashboard CSV, Clerk's JSON export or `npm run export`'s NDJSON into this API.
 * The work is in scripts/migrate/run-import.mjs; `--help` lists every option.
 */
import { runImport } from "./migrate/run-import.mjs";

// The first Ctrl-C stops reading and lets the batches in flight finish (so the summary is
// true); a second one exits at once.
const interrupt = new AbortController();
process.on("SIGINT", () => {
  if (interrupt.signal.aborted) process.exit(130);
  interrupt.abort();
  process.stderr.write("\nInterrupted: finishing the batches in flight (Ctrl-C again to quit now)…\n");
});

process.exitCode = await runImport(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  isTTY: Boolean(process.stderr.isTTY),
  signal: interrupt.signal,
});
