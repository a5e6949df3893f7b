#!/usr/bin/env node
/**
 * `npm run export -- --file <path> [--url <base>] [--key <secret>] [--include-credentials]`:
 * every user of this API as NDJSON, the format `npm run import` reads.
 * The work is in scripts/migrate/run-export.mjs; `--help` lists every option.
 */
import { runExport } from "./migrate/run-export.mjs";

const interrupt = new AbortController();
process.on("SIGINT", () => {
  if (interrupt.signal.aborted) process.exit(130);
  interrupt.abort();
});

process.exitCode = await runExport(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  isTTY: Boolean(process.stderr.isTTY),
  signal: interrupt.signal,
});
