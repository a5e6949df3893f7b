/**
 * `npm run import`: reads users from a file (Clerk's dashboard CSV, Clerk's JSON export, or the
 * NDJSON `npm run export` writes) and sends them to `POST /v1/users/import` in batches, several
 * at a time, with progress, a report of the users that failed, and an exit code that says
 * whether every user is there (0) or not (1). `--dry-run` checks the file locally instead.
 *
 * Memory stays bounded whatever the file's size: the file is read as a stream, and reading
 * waits while `--concurrency` batches are in flight, so at most concurrency + 1 batches of users
 * are held at once.
 */
import { basename } from "node:path";
import { InputError } from "./errors.mjs";
import { BatchError, createApiClient, describeErrors, FatalError } from "./http-client.mjs";
import { countRecords, detectFormat, FORMATS, fileChunks, readUserRecords } from "./formats.mjs";
import { EXIT_ERROR, EXIT_FAILED_USERS, EXIT_INTERRUPTED, EXIT_OK, intOption, parseCommandLine, UsageError } from "./options.mjs";
import { createProgress, formatCount, formatDuration } from "./progress.mjs";
import { createReportWriter } from "./report.mjs";
import { createRecordChecker } from "./validate.mjs";

export const MAX_BATCH = 500;
const DEFAULT_CONCURRENCY = 4;
const MAX_CONCURRENCY = 16;
const SHOWN_FAILURES = 20;

export const IMPORT_USAGE = `Usage: npm run import -- --file <path> [options]

Imports users into this API (POST /v1/users/import), keeping their ids. Running it again is safe:
users already there answer "exists".

  --file <path>         users to import: Clerk's dashboard CSV (.csv), Clerk's JSON export
                        (a JSON array), or NDJSON as \`npm run export\` writes it (.ndjson)
  --format <f>          csv, json or ndjson (default: from the extension, else the content)
  --url <base>          the API (default http://127.0.0.1:8787)
  --key <secret>        API key (default: CLERK_SECRET_KEY from .dev.vars)
  --batch <n>           users per request, 1-500 (default 500)
  --concurrency <n>     requests in flight, 1-16 (default 4; one at a time once the server's
                        import budget has made the import wait)
  --report <path>       write every user that was not imported as CSV: line,id,code,message
  --dry-run             read and check the whole file locally; send nothing

Exit status: 0 when every user was created or already existed, 1 when some were not
(see --report), 2 on an error that stopped the run, 130 when interrupted.`;

const FORMAT_NAMES = { csv: "Clerk dashboard CSV", json: "Clerk JSON export", ndjson: "NDJSON user records" };

/**
 * @typedef {{
 *   stdout: { write(text: string): unknown },
 *   stderr: { write(text: string): unknown, columns?: number },
 *   isTTY?: boolean,
 *   now?: () => number,
 *   sleep?: (ms: number) => Promise<void>,
 *   fetch?: typeof fetch,
 *   devVarsPath?: string,
 *   signal?: AbortSignal,
 * }} CliIo
 */

/**
 * Runs `npm run import` with these arguments; resolves to the exit status.
 * @param {string[]} argv
 * @param {CliIo} io
 * @returns {Promise<number>}
 */
export async function runImport(argv, io) {
  const err = (text) => io.stderr.write(`${text}\n`);
  let options;
  try {
    options = importOptions(argv, io);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    err(`import: ${error.message}\n\n${IMPORT_USAGE}`);
    return EXIT_ERROR;
  }
  if (options.help) {
    io.stdout.write(`${IMPORT_USAGE}\n`);
    return EXIT_OK;
  }
  try {
    const format = options.format ?? (await detectFormat(options.file));
    return options.dryRun ? await dryRun(options, format, io) : await importFile(options, format, io);
  } catch (error) {
    if (error instanceof FatalError || isInputError(error)) {
      err(`import: ${error.message}`);
      return EXIT_ERROR;
    }
    throw error;
  }
}

/** Errors reading the input (a broken structure, or the file system's: missing file, no permission): reported without a stack. */
function isInputError(error) {
  return error instanceof InputError || typeof error?.syscall === "string";
}

function importOptions(argv, io) {
  const { url, key, keySource, values } = parseCommandLine(
    argv,
    {
      format: { type: "string" },
      batch: { type: "string" },
      concurrency: { type: "string" },
      report: { type: "string" },
      "dry-run": { type: "boolean" },
    },
    { devVarsPath: io.devVarsPath },
  );
  if (values.help) return { help: true };
  if (!values.file) throw new UsageError("--file is required");
  if (values.format !== undefined && !FORMATS.includes(String(values.format))) throw new UsageError(`--format must be one of ${FORMATS.join(", ")}`);
  const dryRun = Boolean(values["dry-run"]);
  if (!dryRun && !key) throw new UsageError(`no API key: pass --key, or put CLERK_SECRET_KEY in .dev.vars (looked for ${keySource})`);
  return {
    help: false,
    url,
    key: /** @type {string} */ (key),
    file: String(values.file),
    format: /** @type {"csv" | "json" | "ndjson" | undefined} */ (values.format),
    batch: intOption(values.batch, "batch", MAX_BATCH, 1, MAX_BATCH),
    concurrency: intOption(values.concurrency, "concurrency", DEFAULT_CONCURRENCY, 1, MAX_CONCURRENCY),
    report: /** @type {string | undefined} */ (values.report),
    dryRun,
  };
}

/**
 * A failure list for the terminal: the first few, then how many more.
 * @param {(line: string) => void} print
 * @param {boolean} hasReport
 */
function failurePrinter(print, hasReport) {
  let shown = 0;
  let more = 0;
  return {
    add(row) {
      if (shown < SHOWN_FAILURES) {
        shown++;
        print(`  line ${row.line}${row.id ? ` (${row.id})` : ""}: ${row.code}: ${row.message}`);
      } else more++;
    },
    finish() {
      if (more > 0) print(`  … and ${formatCount(more)} more${hasReport ? " (all in the report)" : "; --report <path> lists them all"}`);
    },
  };
}

/**
 * --dry-run: every record read, mapped and checked as the server would without it, nothing sent.
 * @param {ReturnType<typeof importOptions>} options
 * @param {"csv" | "json" | "ndjson"} format
 * @param {CliIo} io
 */
async function dryRun(options, format, io) {
  const out = (text) => io.stdout.write(`${text}\n`);
  const report = options.report ? await createReportWriter(options.report) : undefined;
  const checker = createRecordChecker();
  const printer = failurePrinter((text) => io.stderr.write(`${text}\n`), Boolean(report));
  let read = 0;
  let sendable = 0;
  let withProblems = 0;
  let header = false;
  const showHeader = () => {
    if (!header) io.stderr.write("Users that would fail:\n");
    header = true;
  };
  for await (const item of readUserRecords(fileChunks(options.file), format, { onWarning: (text) => io.stderr.write(`warning: ${text}\n`) })) {
    read++;
    if (!("error" in item)) sendable++;
    const problems = "error" in item ? [item.error] : checker.check(item.record, item.line);
    if (problems.length === 0) continue;
    withProblems++;
    const id = "record" in item && typeof item.record.id === "string" ? item.record.id : null;
    const row = { line: item.line, id, code: problems[0].code, message: problems.map((p) => p.message).join("; ") };
    report?.add(row);
    showHeader();
    printer.add(row);
  }
  printer.finish();
  await report?.close();
  const batches = Math.ceil(sendable / options.batch);
  out(`Dry run of ${basename(options.file)} (${FORMAT_NAMES[format]}): ${formatCount(read)} users read.`);
  out(
    `The import would send ${formatCount(sendable)} users to ${options.url}/v1/users/import in ${formatCount(batches)} request(s) of up to ${options.batch}, ${options.concurrency} at a time.`,
  );
  if (withProblems > 0) {
    out(
      `${formatCount(withProblems)} user(s) would fail${report ? ` (listed in ${options.report})` : " (listed above)"}; the others pass every check that needs no server.`,
    );
  } else {
    out(
      "Every user passes the checks that need no server (identifiers already taken on the server, digests and metadata limits are checked by the import).",
    );
  }
  out("Nothing was sent.");
  return withProblems > 0 ? EXIT_FAILED_USERS : EXIT_OK;
}

/**
 * A counting semaphore: at most `size` holders at once; `acquire` waits for a free slot.
 * `narrow(n)` lowers the limit for later acquisitions (holders beyond it finish normally).
 */
function semaphore(size) {
  let limit = size;
  let held = 0;
  /** @type {(() => void)[]} */
  const waiting = [];
  return {
    async acquire() {
      if (held < limit) {
        held++;
        return;
      }
      await new Promise((resolve) => waiting.push(resolve));
    },
    release() {
      held--;
      while (held < limit && waiting.length > 0) {
        held++;
        waiting.shift()();
      }
    },
    narrow(n) {
      limit = Math.min(limit, n);
    },
  };
}

/**
 * The import proper.
 * @param {ReturnType<typeof importOptions>} options
 * @param {"csv" | "json" | "ndjson"} format
 * @param {CliIo} io
 */
async function importFile(options, format, io) {
  const now = io.now ?? Date.now;
  const out = (text) => io.stdout.write(`${text}\n`);
  const started = now();
  const total = await countRecords(options.file, format);
  const report = options.report ? await createReportWriter(options.report) : undefined;
  const progress = createProgress({ stream: io.stderr, isTTY: Boolean(io.isTTY), total, now, label: "import" });
  // Lines printed while a terminal shows the bar go above it: clear the bar's line first.
  const say = (text) => io.stderr.write(`${io.isTTY ? "\r\x1b[K" : ""}${text}\n`);
  const printer = failurePrinter(say, Boolean(report));
  let rateLimitWaits = 0;
  let rateLimitMs = 0;
  const slots = semaphore(options.concurrency);
  const client = createApiClient({
    url: options.url,
    key: options.key,
    fetch: io.fetch,
    sleep: io.sleep,
    now,
    onWait(event) {
      if (event.reason === "rate_limited") {
        rateLimitWaits++;
        rateLimitMs += event.ms;
        // The server's import budget, not its speed, sets the pace now: one batch at a time
        // keeps up with it (a batch is admitted the moment the budget has room for it), and
        // more in flight only come back 429, each a round trip and an upload for nothing.
        // Measured: README, Performance → Import.
        slots.narrow(1);
      } else say(`retrying in ${formatDuration(event.ms)} after ${event.detail}`);
    },
  });
  const counts = { created: 0, exists: 0, failed: 0 };
  /** @type {Error | undefined} */
  let fatal;
  const fail = (row) => {
    counts.failed++;
    report?.add(row);
    printer.add(row);
  };

  /** @param {{ line: number, record: Record<string, unknown> }[]} batch */
  async function send(batch) {
    let failures = 0;
    try {
      const results = await client.importUsers(batch.map((item) => item.record));
      results.forEach((result, i) => {
        const { line, record } = batch[i];
        if (result.status === "created" || result.status === "exists") {
          counts[result.status]++;
          return;
        }
        failures++;
        const error =
          result.status === "failed"
            ? describeErrors(result.errors)
            : { code: "unknown_status", message: `the server answered status ${JSON.stringify(result.status)}` };
        fail({ line, id: result.id ?? (typeof record.id === "string" ? record.id : null), ...error });
      });
    } catch (error) {
      if (!(error instanceof BatchError)) throw error;
      for (const { line, record } of batch) {
        failures++;
        fail({ line, id: typeof record.id === "string" ? record.id : null, code: error.code, message: error.message });
      }
    }
    progress.add(batch.length, failures);
  }

  /** @type {Set<Promise<void>>} */
  const inFlight = new Set();
  async function dispatch(batch) {
    await slots.acquire();
    // The run may have stopped while this batch waited for a slot.
    if (fatal || io.signal?.aborted) {
      slots.release();
      return;
    }
    const sending = send(batch)
      .catch((error) => {
        fatal ??= error;
      })
      .finally(() => {
        slots.release();
        inFlight.delete(sending);
      });
    inFlight.add(sending);
  }

  let batch = [];
  try {
    for await (const item of readUserRecords(fileChunks(options.file), format, { onWarning: (text) => say(`warning: ${text}`) })) {
      if (fatal || io.signal?.aborted) break;
      if ("error" in item) {
        fail({ line: item.line, id: null, ...item.error });
        progress.add(1, 1);
        continue;
      }
      batch.push(item);
      if (batch.length === options.batch) {
        await dispatch(batch);
        batch = [];
      }
    }
    if (batch.length > 0 && !fatal && !io.signal?.aborted) await dispatch(batch);
  } catch (error) {
    // The counting pass read the same file, so this is a file that changed since: stop
    // reading, but let the batches in flight finish so the summary and report are true.
    if (!isInputError(error)) throw error;
    fatal ??= error;
  }
  await Promise.all(inFlight);
  progress.finish();
  printer.finish();
  await report?.close();

  const elapsed = now() - started;
  const processed = counts.created + counts.exists + counts.failed;
  const rate = elapsed > 0 ? Math.round((processed * 1000) / elapsed) : 0;
  out(
    `${basename(options.file)}: ${formatCount(counts.created)} created, ${formatCount(counts.exists)} already there, ${formatCount(counts.failed)} failed` +
      ` (${formatCount(processed)} of ${formatCount(total)} users in ${formatDuration(elapsed)}, ${formatCount(rate)} users/s).`,
  );
  if (rateLimitWaits > 0) out(`The server's import budget made the import wait ${rateLimitWaits} time(s), ${formatDuration(rateLimitMs)} in all.`);
  if (counts.failed > 0 && report) out(`Failed users are listed in ${options.report} (line,id,code,message).`);
  const notSent = total - processed;
  if (fatal) {
    out(`Stopped: ${fatal.message}`);
    if (notSent > 0)
      out(`${formatCount(notSent)} users were not sent. Running the same command again is safe: users already imported answer "exists".`);
    return EXIT_ERROR;
  }
  if (io.signal?.aborted) {
    out(`Interrupted: ${formatCount(notSent)} users were not sent. Running the same command again is safe: users already imported answer "exists".`);
    return EXIT_INTERRUPTED;
  }
  return counts.failed > 0 ? EXIT_FAILED_USERS : EXIT_OK;
}
