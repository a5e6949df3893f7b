/**
 * The `--report` file: one CSV row (RFC 4180) per user that was not imported,
 * `line,id,code,message`, where `line` is where the user starts in the input file and `code`
 * is Clerk's error code. Rows are written as batches finish, so with several batches in flight
 * they come in the order the batches finished, each batch's rows in file order.
 */
import { open } from "node:fs/promises";
import { csvRecord } from "./csv.mjs";

export const REPORT_HEADER = ["line", "id", "code", "message"];

/**
 * One report row.
 * @param {{ line: number, id?: string | null, code: string, message: string }} row
 */
export function reportRow(row) {
  return csvRecord([row.line, row.id ?? "", row.code, row.message]);
}

/**
 * Opens a report file (replacing it; failing now, before any import, when it cannot be written)
 * and writes the header.
 * @param {string} path
 * @returns {Promise<{ add(row: { line: number, id?: string | null, code: string, message: string }): void, close(): Promise<void> }>}
 */
export async function createReportWriter(path) {
  const handle = await open(path, "w");
  const out = handle.createWriteStream();
  /** @type {Error | undefined} */
  let failure;
  out.on("error", (error) => {
    failure = error;
  });
  out.write(csvRecord(REPORT_HEADER));
  return {
    add(row) {
      out.write(reportRow(row));
    },
    close() {
      return new Promise((resolve, reject) => {
        if (failure) {
          reject(failure);
          return;
        }
        out.once("error", reject);
        out.end(() => (failure ? reject(failure) : resolve()));
      });
    },
  };
}
