/**
 * The rate-limit decision as a pure function of (state, rule, now), kept apart from storage so
 * it can be tested with a fake clock. The algorithm is a sliding log: the state holds the times
 * of the admitted requests still inside the window, so the decision is exact (no approximation
 * at window edges) and Retry-After can be computed precisely.
 */

export interface RateLimitRule {
  /** Requests admitted per window. */
  limit: number;
  windowMs: number;
}

export interface RateLimitState {
  /** Times (epoch ms, ascending) of the admitted requests that may still count. */
  hits: number[];
}

export interface RateLimitDecision {
  allowed: boolean;
  /** Requests still admitted in the current window after this one. */
  remaining: number;
  /** Whole seconds (≥ 1) after which a retry is admitted; 0 when allowed. */
  retryAfterSeconds: number;
  /** The state to store: expired hits dropped and, when allowed, `now` appended. */
  state: RateLimitState;
  /** Hits at or before this time have left the window and can be deleted from storage. */
  expiredThrough: number;
}

/**
 * Decides whether a request at `now` is admitted under `rule`.
 *
 * A hit at time t counts while `now < t + windowMs`. Only the newest `limit` hits can matter,
 * so older ones are dropped too (this also bounds the state when the limit is lowered).
 * When refused, the request must wait until the `limit`-th newest hit leaves the window:
 * `Retry-After = ceil((thatHit + windowMs - now) / 1000)`, at least 1 (and the exact
 * `thatHit + windowMs - now` in milliseconds), so a retry after exactly that long is admitted unless other requests take the slot first.
 */
export function decide(state: RateLimitState, rule: RateLimitRule, now: number): RateLimitDecision {
  const expiredThrough = now - rule.windowMs;
  let live = state.hits.filter((t) => t > expiredThrough);
  if (live.length > rule.limit) live = live.slice(live.length - rule.limit);
  if (live.length < rule.limit) {
    // Keep the log sorted even if a caller's clock steps backwards.
    const hits = [...live, now].sort((a, b) => a - b);
    return { allowed: true, remaining: rule.limit - hits.length, retryAfterSeconds: 0, state: { hits }, expiredThrough };
  }
  const freesAt = live[0] + rule.windowMs;
  return {
    allowed: false,
    remaining: 0,
    retryAfterSeconds: Math.max(1, Math.ceil((freesAt - now) / 1000)),
    state: { hits: live },
    expiredThrough,
  };
}

/** An admitted request that took `units` of a budget at `at` (epoch ms). */
export interface UnitHit {
  at: number;
  units: number;
}

export interface UnitDecision {
  allowed: boolean;
  /** Units still admitted in the current window after this request. */
  remaining: number;
  /** Whole seconds (≥ 1) after which a retry of the same size is admitted; 0 when allowed. */
  retryAfterSeconds: number;
  /**
   * The same wait in milliseconds (≥ 1; 0 when allowed): Retry-After has whole seconds only
   * (RFC 9110 §10.2.3), and a client that rounds every wait up to a second leaves a budget of
   * many small units idle for most of that second.
   */
  retryAfterMs: number;
  /** Hits at or before this time have left the window and can be deleted from storage. */
  expiredThrough: number;
}

/**
 * Decides whether a request taking `units` at `now` fits a budget of `rule.limit` units per
 * window (a sliding log of (time, units), as `decide` keeps for single requests). `hits` are the
 * admitted requests, oldest first; a hit counts while `now < at + windowMs`.
 *
 * Refused, it must wait until enough units have left the window: walking the live hits from the
 * oldest, the first whose departure brings the used units to `limit - units` or below sets
 * `Retry-After = ceil((thatHit + windowMs - now) / 1000)`, at least 1 (and the exact
 * `thatHit + windowMs - now` in milliseconds), so a retry after exactly that long is admitted unless other requests take the room first. `units > limit` can never be
 * admitted; callers refuse that before asking (it is reported with retryAfterSeconds 0).
 */
export function decideUnits(hits: readonly UnitHit[], units: number, rule: RateLimitRule, now: number): UnitDecision {
  const expiredThrough = now - rule.windowMs;
  const live = hits.filter((h) => h.at > expiredThrough);
  const used = live.reduce((sum, h) => sum + h.units, 0);
  if (used + units <= rule.limit) {
    return { allowed: true, remaining: rule.limit - used - units, retryAfterSeconds: 0, retryAfterMs: 0, expiredThrough };
  }
  const remaining = Math.max(0, rule.limit - used);
  if (units > rule.limit) return { allowed: false, remaining, retryAfterSeconds: 0, retryAfterMs: 0, expiredThrough };
  const refused = (waitMs: number): UnitDecision => {
    const ms = Math.max(1, waitMs);
    return { allowed: false, remaining, retryAfterSeconds: Math.ceil(ms / 1000), retryAfterMs: ms, expiredThrough };
  };
  const oldestFirst = [...live].sort((a, b) => a.at - b.at);
  let stillUsed = used;
  for (const hit of oldestFirst) {
    stillUsed -= hit.units;
    if (stillUsed + units <= rule.limit) {
      return refused(hit.at + rule.windowMs - now);
    }
  }
  // Unreachable: once every live hit has left, units ≤ limit fits.
  return refused(rule.windowMs);
}
