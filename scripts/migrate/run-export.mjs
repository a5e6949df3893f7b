/**
 * `npm run export`: streams `GET /v1/users/export` (NDJSON, one user record per line, the format
 * `npm run import` reads back) into a file, with the import's progress display (the total from
 * `GET /v1/users/count`).
 *
 * Each line is checked to be a whole JSON object as it arrives and written, unchanged, into
 * `<file>.partial`. Only a stream that ended after a complete line becomes `<file>`; a stream that
 * broke leaves `<file>.partial` with the complete lines before the break (itself importable) and
 * a non-zero exit status, so a cut-off export is never mistaken for a whole one.
 */
import { rename } from "node:fs/promises";
import { createWriteStream } from "node:fs";
import { basename } from "node:path";
import { once } from "node:events";
import { BatchError, createApiClient, FatalError } from "./http-client.mjs";
import { EXIT_ERROR, EXIT_FAILED_USERS, EXIT_INTERRUPTED, EXIT_OK, intOption, parseCommandLine, UsageError } from "./options.mjs";
import { createProgress, formatCount, formatDuration } from "./progress.mjs";

export const EXPORT_USAGE = `Usage: npm run export -- --file <path> [options]

Writes every user (GET /v1/users/export) to a file as NDJSON, one user per line, in the format
\`npm run import\` reads.

  --file <path>             where to write (first to <path>.partial, renamed when complete)
  --url <base>              the API (default http://127.0.0.1:8787)
  --key <secret>            API key (default: CLERK_SECRET_KEY from .dev.vars)
  --include-credentials     also password digests, TOTP secrets and backup-code digests
                            (the server must run with EXPORT_CREDENTIALS=true)
  --created-at-after <ms>   only users created after this time (epoch milliseconds)
  --limit <n>               at most this many users

Exit status: 0 when the whole stream was written, 1 when it broke (the complete lines are kept
in <path>.partial), 2 on an error before it started, 130 when interrupted.`;

/** The stream is not the export it should be (a line that is not a user record, or a cut-off line). */
class BrokenStreamError extends Error {}

/**
 * Checks the stream line by line: each must be a whole JSON object (a user record). `push`
 * returns the bytes of the lines it completed and checked (unchanged, line breaks included), so
 * only whole, checked lines reach the file, and the error that stopped it, if any.
 */
export class NdjsonLineChecker {
  constructor() {
    this.decoder = new TextDecoder("utf-8", { fatal: true });
    /** @type {Buffer[]} */
    this.tail = [];
    this.lines = 0;
  }

  /**
   * @param {Uint8Array} bytes
   * @returns {{ data: Buffer, lines: number, error?: BrokenStreamError }}
   */
  push(bytes) {
    const chunk = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    /** @type {Buffer[]} */
    const data = [];
    const before = this.lines;
    let start = 0;
    for (let nl = chunk.indexOf(10); nl >= 0; nl = chunk.indexOf(10, start)) {
      const line = Buffer.concat([...this.tail, chunk.subarray(start, nl + 1)]);
      this.tail = [];
      start = nl + 1;
      try {
        this.check(line);
      } catch (error) {
        return { data: Buffer.concat(data), lines: this.lines - before, error: /** @type {BrokenStreamError} */ (error) };
      }
      data.push(line);
    }
    if (start < chunk.length) this.tail.push(Buffer.from(chunk.subarray(start)));
    return { data: Buffer.concat(data), lines: this.lines - before };
  }

  /** @returns {BrokenStreamError | undefined} why the stream's end is not a line's end */
  end() {
    return this.tail.length > 0 ? new BrokenStreamError("the stream ended in the middle of a line") : undefined;
  }

  /** @private */
  check(line) {
    if (line.length === 1) return; // a blank line
    const number = this.lines + 1;
    let value;
    try {
      value = JSON.parse(this.decoder.decode(line));
    } catch {
      throw new BrokenStreamError(`line ${number} is not a whole JSON object`);
    }
    if (value === null || typeof value !== "object" || Array.isArray(value)) throw new BrokenStreamError(`line ${number} is not a JSON object`);
    // A server that fails mid-stream can only say so inside the stream.
    if (Array.isArray(value.errors) && !("id" in value)) {
      const first = value.errors[0];
      throw new BrokenStreamError(
        `the server reported an error on line ${number}: ${first?.code ?? "error"}: ${first?.long_message ?? first?.message ?? ""}`,
      );
    }
    this.lines = number;
  }
}

/**
 * Writes the response body's checked lines to `path` (created owner-only: the file holds
 * personal data, and with credentials password digests and TOTP secrets). Resolves to the number
 * of lines written and the error that cut the stream short, if any; the file is closed either way.
 * @param {Response} response
 * @param {string} path
 * @param {(lines: number) => void} onLines
 */
async function writeCheckedLines(response, path, onLines) {
  const file = createWriteStream(path, { mode: 0o600 });
  await once(file, "open");
  const checker = new NdjsonLineChecker();
  let written = 0;
  /** @type {unknown} */
  let failure;
  try {
    for await (const bytes of /** @type {AsyncIterable<Uint8Array>} */ (/** @type {unknown} */ (response.body))) {
      const { data, lines, error } = checker.push(bytes);
      if (data.length > 0 && !file.write(data)) await once(file, "drain");
      written += lines;
      if (lines > 0) onLines(lines);
      if (error) {
        failure = error;
        break;
      }
    }
    failure ??= checker.end();
  } catch (error) {
    failure = error;
  }
  await new Promise((resolve, reject) => file.end((/** @type {Error | undefined} */ error) => (error ? reject(error) : resolve(undefined))));
  return { written, failure };
}

/**
 * Runs `npm run export` with these arguments; resolves to the exit status.
 * @param {string[]} argv
 * @param {import("./run-import.mjs").CliIo} io
 * @returns {Promise<number>}
 */
export async function runExport(argv, io) {
  const now = io.now ?? Date.now;
  const out = (text) => io.stdout.write(`${text}\n`);
  const err = (text) => io.stderr.write(`${io.isTTY ? "\r\x1b[K" : ""}${text}\n`);
  let options;
  try {
    const { url, key, keySource, values } = parseCommandLine(
      argv,
      { "include-credentials": { type: "boolean" }, "created-at-after": { type: "string" }, limit: { type: "string" } },
      { devVarsPath: io.devVarsPath },
    );
    if (values.help) {
      io.stdout.write(`${EXPORT_USAGE}\n`);
      return EXIT_OK;
    }
    if (!values.file) throw new UsageError("--file is required");
    if (!key) throw new UsageError(`no API key: pass --key, or put CLERK_SECRET_KEY in .dev.vars (looked for ${keySource})`);
    const createdAfter = values["created-at-after"];
    if (createdAfter !== undefined && !/^\d+$/.test(String(createdAfter))) throw new UsageError("--created-at-after must be epoch milliseconds");
    options = {
      url,
      key,
      file: String(values.file),
      credentials: Boolean(values["include-credentials"]),
      createdAfter: /** @type {string | undefined} */ (createdAfter),
      limit: values.limit === undefined ? undefined : intOption(values.limit, "limit", 0, 1, Number.MAX_SAFE_INTEGER),
    };
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    err(`export: ${error.message}\n\n${EXPORT_USAGE}`);
    return EXIT_ERROR;
  }

  const client = createApiClient({
    url: options.url,
    key: options.key,
    fetch: io.fetch,
    sleep: io.sleep,
    now,
    signal: io.signal,
    onWait: (event) => err(`retrying in ${formatDuration(event.ms)} after ${event.detail}`),
  });
  const started = now();
  const filters = { created_at_after: options.createdAfter };
  /** @type {number | undefined} */
  let total;
  let response;
  try {
    try {
      total = await client.countUsers(filters);
      if (options.limit !== undefined) total = Math.min(total, options.limit);
    } catch (error) {
      if (!(error instanceof BatchError)) throw error;
      err(`warning: could not count the users first (${error.code}); progress will show no total`);
    }
    response = await client.openExport({
      ...filters,
      limit: options.limit === undefined ? undefined : String(options.limit),
      include_credentials: options.credentials ? "true" : undefined,
    });
  } catch (error) {
    if (!(error instanceof FatalError)) throw error;
    err(`export: ${error.message}`);
    return io.signal?.aborted ? EXIT_INTERRUPTED : EXIT_ERROR;
  }
  const type = response.headers.get("content-type") ?? "";
  if (!/^application\/x-ndjson\b/i.test(type)) {
    await response.body?.cancel();
    err(`export: the server answered with Content-Type "${type}", not application/x-ndjson (is ${options.url} this API, with the export route?)`);
    return EXIT_ERROR;
  }

  const partial = `${options.file}.partial`;
  const progress = createProgress({ stream: io.stderr, isTTY: Boolean(io.isTTY), total, now, label: "export" });
  const { written, failure } = await writeCheckedLines(response, partial, (lines) => progress.add(lines));
  if (failure) {
    progress.finish();
    if (io.signal?.aborted) {
      out(`Interrupted after ${formatCount(written)} users; they are in ${partial}. Run the export again for a complete file.`);
      return EXIT_INTERRUPTED;
    }
    const reason = failure instanceof BrokenStreamError ? failure.message : describeStreamError(failure);
    out(`The export stream broke after ${formatCount(written)} complete users: ${reason}.`);
    out(`Those users are in ${partial}; ${options.file} was not written. Run the export again.`);
    return EXIT_FAILED_USERS;
  }
  progress.finish();
  await rename(partial, options.file);
  const elapsed = now() - started;
  out(
    `Exported ${formatCount(written)} users to ${basename(options.file)} in ${formatDuration(elapsed)}` +
      ` (${formatCount(elapsed > 0 ? (written * 1000) / elapsed : 0)} users/s)${options.credentials ? ", with credentials: keep the file secret" : ""}.`,
  );
  if (total !== undefined && written !== total) {
    out(`Note: the count before the export was ${formatCount(total)}; users were created or deleted while it ran.`);
  }
  return EXIT_OK;
}

/** Why a response body stopped (undici reports a cut connection as `terminated`, the reason in `cause`). */
function describeStreamError(error) {
  const cause = error?.cause;
  const text = String(error?.message ?? error);
  return cause?.message ? `${text} (${cause.code ?? cause.message})` : text;
}
