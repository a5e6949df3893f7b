/**
 * Progress of a long import or export. On a terminal: one line redrawn in place (a bar,
 * done/total, users per second, the time left, failures), at most ten times a second. Otherwise
 * (a log file, CI): a line each time another tenth of the total is done, or every 10,000 users
 * when the total is not known, so logs stay short.
 */

/** `12,345` */
export function formatCount(n) {
  return Math.round(n).toLocaleString("en-US");
}

/** `45s`, `3m07s`, `1h02m` */
export function formatDuration(ms) {
  if (!Number.isFinite(ms)) return "?";
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
}

const REDRAW_MS = 100;
const UNKNOWN_TOTAL_STEP = 10_000;
const BAR_WIDTH = 24;

/**
 * @param {{
 *   stream: { write(text: string): unknown, columns?: number },
 *   isTTY: boolean,
 *   total?: number,
 *   now?: () => number,
 *   label: string,
 *   unit?: string,
 * }} options
 */
export function createProgress(options) {
  const { stream, isTTY, label } = options;
  const unit = options.unit ?? "users";
  const now = options.now ?? Date.now;
  const total = options.total;
  const started = now();
  let done = 0;
  let failed = 0;
  let lastDraw = -Infinity;
  let drawn = false;
  let step = 0; // tenths (or blocks of 10,000) already reported

  function stats() {
    const elapsed = now() - started;
    const rate = elapsed > 0 ? (done * 1000) / elapsed : 0;
    const eta = total !== undefined && rate > 0 ? ((total - done) / rate) * 1000 : Number.NaN;
    return { rate, eta };
  }

  function line(withBar) {
    const { rate, eta } = stats();
    const parts = [];
    if (total !== undefined && total > 0) {
      const fraction = Math.min(1, done / total);
      const percent = `${Math.floor(fraction * 100)}%`;
      if (withBar) {
        const filled = Math.round(fraction * BAR_WIDTH);
        parts.push(`[${"#".repeat(filled)}${"-".repeat(BAR_WIDTH - filled)}] ${percent.padStart(4)}`);
      } else parts.push(percent);
      parts.push(`${formatCount(done)}/${formatCount(total)} ${unit}`);
    } else parts.push(`${formatCount(done)} ${unit}`);
    parts.push(`${formatCount(rate)} ${unit}/s`);
    if (total !== undefined) parts.push(`ETA ${done >= total ? "0s" : formatDuration(eta)}`);
    if (failed > 0 || label === "import") parts.push(`${formatCount(failed)} failed`);
    return `${label}: ${parts.join(", ")}`;
  }

  function draw(force) {
    if (isTTY) {
      const t = now();
      if (!force && t - lastDraw < REDRAW_MS) return;
      lastDraw = t;
      let text = line(true);
      if (stream.columns && text.length >= stream.columns) text = text.slice(0, stream.columns - 1);
      // \r back to the line's start, then clear what a longer previous line left (ECMA-48 EL).
      stream.write(`\r${text}\x1b[K`);
      drawn = true;
      return;
    }
    const reached = total !== undefined && total > 0 ? Math.floor((Math.min(done, total) * 10) / total) : Math.floor(done / UNKNOWN_TOTAL_STEP);
    if (reached > step) {
      step = reached;
      stream.write(`${line(false)}\n`);
    }
  }

  return {
    /**
     * Adds finished users.
     * @param {number} count users done (created, existing or failed)
     * @param {number} [failures] of which failed
     */
    add(count, failures = 0) {
      done += count;
      failed += failures;
      draw(false);
    },
    /** The last state, on its own line (a terminal's bar is finished with a line break). */
    finish() {
      if (isTTY) {
        draw(true);
        if (drawn) stream.write("\n");
      } else if (total === undefined || done !== total || step < 10) {
        stream.write(`${line(false)}\n`);
      }
    },
    get done() {
      return done;
    },
  };
}
