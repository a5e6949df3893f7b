/**
 * Streaming readers for the two JSON file shapes the import takes: a JSON array (RFC 8259 §5)
 * of records, such as Clerk's JSON export, and newline-delimited JSON, one record per line, as
 * the export writes it. Both hold one record's text at a time, never the file.
 *
 * A record that is not valid JSON is reported with its line and the reading goes on, since the
 * structure around it is still known; input whose structure is lost (an array never opened or
 * closed, a string never ended) is an error that stops the reading.
 */

import { InputError } from "./errors.mjs";

/** Thrown when the input's structure cannot be followed; `line` is where (1-based). */
export class JsonStreamError extends InputError {
  /** @param {string} message @param {number} line */
  constructor(message, line) {
    super(message, line);
    this.name = "JsonStreamError";
  }
}

const DEFAULT_MAX_RECORD_CHARS = 4 * 1024 * 1024;

/**
 * One element of the array, parsed, or why it could not be. The message never quotes the input
 * (a record may hold a password digest), so it names the position only.
 * @param {string} text
 * @param {number} line
 */
function parseRecord(text, line) {
  try {
    return { line, value: JSON.parse(text) };
  } catch {
    return { line, error: "is not valid JSON" };
  }
}

/**
 * An incremental reader of one top-level JSON array: `push` text in chunks of any size and get
 * back the elements completed so far, each parsed, with the line its first character is on.
 * An element ends at a comma or the closing bracket outside any string, object or array.
 */
export class JsonArrayParser {
  /** @param {{ maxRecordChars?: number }} [options] */
  constructor(options = {}) {
    this.maxRecordChars = options.maxRecordChars ?? DEFAULT_MAX_RECORD_CHARS;
    this.state = "start"; // start | before-element | element | after-element | done
    this.line = 1;
    this.depth = 0; // nesting inside the current element
    this.inString = false;
    this.escaped = false;
    this.piece = ""; // the current element's text so far
    this.elementLine = 1;
    this.count = 0;
    this.first = true;
  }

  /**
   * @param {string} chunk
   * @returns {({ line: number, value: unknown } | { line: number, error: string })[]}
   */
  push(chunk) {
    const out = [];
    const n = chunk.length;
    let i = 0;
    if (this.first && n > 0) {
      this.first = false;
      if (chunk.charCodeAt(0) === 0xfeff) i = 1;
    }
    // Where the current element's text starts in this chunk (its earlier text is in `piece`).
    let from = this.state === "element" ? i : -1;
    for (; i < n; i++) {
      const c = chunk.charCodeAt(i);
      if (c === 10) this.line++;
      if (this.state === "element") {
        if (this.inString) {
          if (this.escaped) this.escaped = false;
          else if (c === 92 /* \ */) this.escaped = true;
          else if (c === 34 /* " */) this.inString = false;
          continue;
        }
        if (c === 34) this.inString = true;
        else if (c === 123 /* { */ || c === 91 /* [ */) this.depth++;
        else if (c === 125 /* } */ || c === 93 /* ] */) {
          if (this.depth > 0) this.depth--;
          else if (c === 93) {
            // The array's closing bracket ends the last element.
            out.push(this.finishElement(chunk.slice(from, i)));
            this.state = "done";
          }
        } else if (c === 44 /* , */ && this.depth === 0) {
          out.push(this.finishElement(chunk.slice(from, i)));
          this.state = "before-element";
        }
        continue;
      }
      if (c === 32 || c === 9 || c === 10 || c === 13) continue;
      if (this.state === "start") {
        if (c !== 91) throw new JsonStreamError("expected a JSON array ([ … ]) of users", this.line);
        this.state = "first-element";
      } else if (this.state === "first-element" && c === 93) {
        this.state = "done"; // []
      } else if (this.state === "first-element" || this.state === "before-element") {
        if (c === 44 || c === 93) throw new JsonStreamError("an array element is missing (two commas, or a comma before ])", this.line);
        this.state = "element";
        this.elementLine = this.line;
        this.piece = "";
        this.depth = 0;
        from = i;
        i--; // read this character again as the element's first
      } else if (this.state === "done") {
        throw new JsonStreamError("text after the end of the array", this.line);
      }
    }
    if (this.state === "element" && from >= 0) {
      this.piece += chunk.slice(from);
      if (this.piece.length > this.maxRecordChars) {
        throw new JsonStreamError(`a record is longer than ${this.maxRecordChars} characters`, this.elementLine);
      }
    }
    return out;
  }

  /** Checks that the array was closed. */
  end() {
    if (this.state === "done") return [];
    if (this.state === "start") throw new JsonStreamError("the file is empty; expected a JSON array of users", this.line);
    throw new JsonStreamError(
      this.inString ? "a string is never closed" : "the array is never closed (the file may be cut off)",
      this.state === "element" ? this.elementLine : this.line,
    );
  }

  /** @private */
  finishElement(tail) {
    const text = this.piece + tail;
    this.piece = "";
    if (text.length > this.maxRecordChars) throw new JsonStreamError(`a record is longer than ${this.maxRecordChars} characters`, this.elementLine);
    this.count++;
    return parseRecord(text, this.elementLine);
  }
}

/**
 * The elements of a JSON array arriving as text chunks.
 * @param {AsyncIterable<string> | Iterable<string>} chunks
 * @param {{ maxRecordChars?: number }} [options]
 * @returns {AsyncGenerator<{ line: number, value: unknown } | { line: number, error: string }>}
 */
export async function* parseJsonArray(chunks, options) {
  const parser = new JsonArrayParser(options);
  for await (const chunk of chunks) yield* parser.push(chunk);
  parser.end();
}

/**
 * The records of newline-delimited JSON arriving as text chunks: one JSON value per line (LF or
 * CRLF), blank lines skipped, each with its line number. A line that is not JSON is reported and
 * the reading goes on.
 * @param {AsyncIterable<string> | Iterable<string>} chunks
 * @param {{ maxRecordChars?: number }} [options]
 * @returns {AsyncGenerator<{ line: number, value: unknown } | { line: number, error: string }>}
 */
export async function* parseNdjson(chunks, options = {}) {
  const max = options.maxRecordChars ?? DEFAULT_MAX_RECORD_CHARS;
  let rest = "";
  let line = 0;
  let first = true;
  for await (let chunk of chunks) {
    if (first && chunk.length > 0) {
      first = false;
      if (chunk.charCodeAt(0) === 0xfeff) chunk = chunk.slice(1);
    }
    let start = 0;
    let nl = chunk.indexOf("\n");
    while (nl >= 0) {
      const text = rest + chunk.slice(start, nl);
      rest = "";
      line++;
      if (text.trim() !== "") yield parseRecord(text, line);
      start = nl + 1;
      nl = chunk.indexOf("\n", start);
    }
    rest += chunk.slice(start);
    if (rest.length > max) throw new JsonStreamError(`a line is longer than ${max} characters`, line + 1);
  }
  if (rest.trim() !== "") yield parseRecord(rest, line + 1);
}
