/**
 * CSV as RFC 4180 defines it, read as a stream and written cell by cell.
 *
 * Reading is lenient where files in the wild differ from the RFC and strict where a mistake
 * would move data between cells: records end at CRLF, LF or a lone CR (§2.1 says CRLF, but
 * spreadsheets on every platform write their own); a quote inside an unquoted cell is kept as a
 * character; text after a closing quote is kept as well (as Python's csv module does); a quoted
 * cell that never closes is an error, because everything after it would be misread.
 */

import { InputError } from "./errors.mjs";

/** Thrown on input that cannot be read as CSV; `line` is where the problem starts (1-based). */
export class CsvError extends InputError {
  /** @param {string} message @param {number} line */
  constructor(message, line) {
    super(message, line);
    this.name = "CsvError";
  }
}

/**
 * An incremental CSV reader: feed it text with `push`, in chunks of any size (a chunk may end
 * anywhere, inside a quoted cell or between CR and LF), and it returns the records completed so
 * far. Each record is its cells and the physical line it starts on. Blank lines are skipped.
 */
export class CsvParser {
  /** @param {{ maxRecordChars?: number }} [options] a bound on one record, so a stray quote cannot make the reader hold the whole file */
  constructor(options = {}) {
    this.maxRecordChars = options.maxRecordChars ?? 4 * 1024 * 1024;
    /** @type {string[]} */ this.cells = [];
    this.cell = "";
    this.cellStarted = false; // the current cell has a character (a quote then opens nothing)
    this.recordStarted = false; // the current record has a character (a blank line has none)
    this.recordChars = 0;
    this.line = 1; // the physical line the reader is on
    this.recordLine = 1; // the line the current record started on
    this.quoted = false; // inside a quoted cell
    this.quoteLine = 1; // the line the quoted cell started on
    this.afterQuote = false; // just saw a quote inside a quoted cell: either "" or the closing quote
    this.afterCr = false; // the last character was a CR: an LF right after it ends nothing more
    this.first = true; // nothing read yet (a byte order mark may come)
  }

  /**
   * @param {string} chunk
   * @returns {{ cells: string[], line: number }[]} the records this chunk completed
   */
  push(chunk) {
    /** @type {{ cells: string[], line: number }[]} */
    const out = [];
    const n = chunk.length;
    let i = 0;
    if (this.first && n > 0) {
      this.first = false;
      if (chunk.charCodeAt(0) === 0xfeff) i = 1;
    }
    while (i < n) {
      const c = chunk.charCodeAt(i);
      if (this.quoted) {
        if (this.afterQuote) {
          this.afterQuote = false;
          if (c === 34) {
            this.append('"');
            this.afterCr = false;
            i++;
          } else {
            this.quoted = false; // that quote closed the cell; read this character as unquoted
          }
          continue;
        }
        const q = chunk.indexOf('"', i);
        const end = q < 0 ? n : q;
        const text = chunk.slice(i, end);
        this.append(text);
        this.countLines(text);
        if (q < 0) break;
        this.afterQuote = true;
        this.afterCr = false;
        i = q + 1;
        continue;
      }
      if (c === 44 /* , */) {
        this.cells.push(this.cell);
        this.cell = "";
        this.cellStarted = false;
        this.recordStarted = true;
        this.afterCr = false;
        i++;
      } else if (c === 10 || c === 13) {
        // CRLF is one line break: the LF after a CR only moves past it.
        if (!(c === 10 && this.afterCr)) {
          if (this.recordStarted || this.cellStarted) out.push(this.finishRecord());
          this.line++;
          this.recordLine = this.line;
        }
        this.afterCr = c === 13;
        i++;
      } else if (c === 34 /* " */ && !this.cellStarted) {
        this.quoted = true;
        this.quoteLine = this.line;
        this.cellStarted = true;
        this.recordStarted = true;
        this.afterCr = false;
        i++;
      } else {
        // A run of characters up to the next comma or line break (a quote in it is a character).
        let j = i + 1;
        while (j < n) {
          const d = chunk.charCodeAt(j);
          if (d === 44 || d === 10 || d === 13) break;
          j++;
        }
        this.append(chunk.slice(i, j));
        this.cellStarted = true;
        this.recordStarted = true;
        this.afterCr = false;
        i = j;
      }
    }
    return out;
  }

  /** @returns {{ cells: string[], line: number }[]} the last record, if the input did not end with a line break */
  end() {
    if (this.quoted && !this.afterQuote) throw new CsvError("a quoted cell is never closed", this.quoteLine);
    this.quoted = false;
    this.afterQuote = false;
    return this.recordStarted || this.cellStarted ? [this.finishRecord()] : [];
  }

  /** @private */
  finishRecord() {
    this.cells.push(this.cell);
    const record = { cells: this.cells, line: this.recordLine };
    this.cells = [];
    this.cell = "";
    this.cellStarted = false;
    this.recordStarted = false;
    this.recordChars = 0;
    return record;
  }

  /** @private */
  append(text) {
    this.cell += text;
    this.recordChars += text.length;
    if (this.recordChars > this.maxRecordChars) throw new CsvError(`a record is longer than ${this.maxRecordChars} characters`, this.recordLine);
  }

  /** @private Line breaks inside a quoted cell: each CR, and each LF not right after a CR. */
  countLines(text) {
    for (let k = 0; k < text.length; k++) {
      const c = text.charCodeAt(k);
      if (c === 13 || (c === 10 && !this.afterCr)) this.line++;
      this.afterCr = c === 13;
    }
  }
}

/**
 * The records of CSV text arriving in chunks (any size). Holds one record at a time.
 * @param {AsyncIterable<string> | Iterable<string>} chunks
 * @param {{ maxRecordChars?: number }} [options]
 * @returns {AsyncGenerator<{ cells: string[], line: number }>}
 */
export async function* parseCsv(chunks, options) {
  const parser = new CsvParser(options);
  for await (const chunk of chunks) yield* parser.push(chunk);
  yield* parser.end();
}

/** One cell as RFC 4180 §2.6–2.7 writes it: quoted when it holds a comma, quote, CR or LF, quotes doubled. */
export function csvCell(value) {
  const text = value === null || value === undefined ? "" : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** One record, CRLF-terminated (RFC 4180 §2.1). */
export function csvRecord(cells) {
  return `${cells.map(csvCell).join(",")}\r\n`;
}
