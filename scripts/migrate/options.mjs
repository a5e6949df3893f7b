/**
 * Command-line options of `npm run import` and `npm run export`, and their defaults: the API at
 * http://127.0.0.1:8787 (where `npm start` serves it) with the key `npm start` wrote to .dev.vars,
 * so against a local instance only `--file` is needed.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

// Exit statuses of both commands.
export const EXIT_OK = 0;
/** Some users were not imported, or the export stream broke. */
export const EXIT_FAILED_USERS = 1;
/** A usage mistake or an error that stopped the run. */
export const EXIT_ERROR = 2;
/** SIGINT (128 + 2, as shells report it). */
export const EXIT_INTERRUPTED = 130;

export const DEFAULT_URL = "http://127.0.0.1:8787";
/** The repository's .dev.vars, which `npm start` (scripts/start.mjs) fills. */
export const DEV_VARS_PATH = resolve(dirname(fileURLToPath(import.meta.url)), "../../.dev.vars");

/** A command-line mistake: the CLI prints it with the usage and exits 2. */
export class UsageError extends Error {
  constructor(message) {
    super(message);
    this.name = "UsageError";
  }
}

/**
 * The variables of a .dev.vars file (dotenv syntax as wrangler reads it: `NAME=value` lines,
 * `#` comments, values optionally in single or double quotes). Empty when the file is absent.
 * @param {string} path
 * @returns {Record<string, string>}
 */
export function readDevVars(path) {
  if (!existsSync(path)) return {};
  /** @type {Record<string, string>} */
  const vars = {};
  for (const line of readFileSync(path, "utf8").split(/\r?\n/)) {
    const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (!m) continue;
    let value = m[2];
    const quoted = /^(["'])(.*)\1$/.exec(value);
    if (quoted) value = quoted[2];
    else value = value.replace(/\s+#.*$/, "");
    vars[m[1]] = value;
  }
  return vars;
}

/**
 * The options both commands share, from `argv` with their defaults filled in.
 * @param {string[]} argv
 * @param {Record<string, { type: "string" | "boolean", short?: string }>} extra the command's own options
 * @param {{ devVarsPath?: string }} [context]
 * @returns {{ url: string, key: string | undefined, keySource: string, values: Record<string, string | boolean | undefined> }}
 */
export function parseCommandLine(argv, extra, context = {}) {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: { url: { type: "string" }, key: { type: "string" }, file: { type: "string" }, help: { type: "boolean", short: "h" }, ...extra },
      strict: true,
      allowPositionals: false,
    });
  } catch (error) {
    throw new UsageError(/** @type {Error} */ (error).message);
  }
  const values = parsed.values;
  const url = String(values.url ?? DEFAULT_URL).replace(/\/+$/, "");
  let parsedUrl;
  try {
    parsedUrl = new URL(url);
  } catch {
    throw new UsageError(`--url ${url} is not a URL`);
  }
  if (parsedUrl.protocol !== "http:" && parsedUrl.protocol !== "https:") throw new UsageError("--url must be an http:// or https:// URL");
  let key = /** @type {string | undefined} */ (values.key);
  let keySource = "--key";
  if (key === undefined) {
    const devVarsPath = context.devVarsPath ?? DEV_VARS_PATH;
    // CLERK_SECRET_KEY may list several keys for rotation (README, Configuration); any one works.
    key = readDevVars(devVarsPath).CLERK_SECRET_KEY?.split(",")[0]?.trim() || undefined;
    keySource = `CLERK_SECRET_KEY in ${devVarsPath}`;
  }
  return { url, key, keySource, values };
}

/**
 * An integer option within bounds, or its default.
 * @param {string | boolean | undefined} value
 * @param {string} name
 * @param {number} fallback
 * @param {number} min
 * @param {number} max
 */
export function intOption(value, name, fallback, min, max) {
  if (value === undefined) return fallback;
  const text = String(value);
  if (!/^\d+$/.test(text) || Number(text) < min || Number(text) > max) throw new UsageError(`--${name} must be a whole number from ${min} to ${max}`);
  return Number(text);
}
