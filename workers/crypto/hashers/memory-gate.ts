/**
 * A per-isolate bound on the memory that memory-hard hashing (argon2, scrypt) holds at once.
 *
 * A deployed Worker isolate has 128 MB, shared by every request it serves at the same time, and
 * imported digests may ask for up to 64 MiB each (argon2-cffi's default is 64 MiB, so such
 * digests are common). @noble's argon2 and scrypt yield to the event loop while they work
 * whenever the clock advances (it does in local runtimes; a deployed Worker's clock stands still
 * during computation, which makes them run to the end, but that is the runtime's behaviour, not
 * a guarantee), so without a bound two concurrent verifications would hold 128 MiB between them
 * and take the isolate, and every request on it, down. Each computation therefore reserves the
 * bytes it will allocate before it starts, and waits (first come, first served) until they fit in
 * MEMORY_HARD_BUDGET_BYTES: one 64 MiB computation at a time, or three at OWASP's 19 MiB.
 * Waiting costs no CPU time; the request's answer is only later.
 *
 * Module state is per isolate, which is exactly the scope of the limit.
 */

/** Memory that memory-hard hashing may hold at once in one isolate: the largest accepted digest. */
export const MEMORY_HARD_BUDGET_BYTES = 64 * 1024 * 1024;

interface Waiter {
  bytes: number;
  start: () => void;
}

let inUseBytes = 0;
let running = 0;
let peakBytes = 0;
let peakRunning = 0;
let peakQueued = 0;
const queue: Waiter[] = [];

function begin(bytes: number): void {
  inUseBytes += bytes;
  running += 1;
  peakBytes = Math.max(peakBytes, inUseBytes);
  peakRunning = Math.max(peakRunning, running);
}

function fits(bytes: number): boolean {
  return inUseBytes + bytes <= MEMORY_HARD_BUDGET_BYTES;
}

function end(bytes: number): void {
  inUseBytes -= bytes;
  running -= 1;
  // Strict arrival order: a large computation is never starved by smaller ones that would fit.
  while (queue.length > 0 && fits(queue[0].bytes)) {
    const next = queue.shift()!;
    begin(next.bytes);
    next.start();
  }
}

/**
 * Runs `compute`, which allocates about `bytes`, once that much of the isolate's budget is free
 * (a request larger than the budget waits until nothing else runs). Releases it when done,
 * whether `compute` succeeds or throws.
 */
export async function withHashingMemory<T>(bytes: number, compute: () => Promise<T>): Promise<T> {
  const reserved = Math.min(Math.max(0, bytes), MEMORY_HARD_BUDGET_BYTES);
  if (queue.length === 0 && fits(reserved)) begin(reserved);
  else {
    await new Promise<void>((start) => {
      queue.push({ bytes: reserved, start });
      peakQueued = Math.max(peakQueued, queue.length);
    });
  }
  try {
    return await compute();
  } finally {
    end(reserved);
  }
}

/** Read-only probe of the gate (for tests and diagnostics): current and highest use in this isolate. */
export function hashingMemoryUsage() {
  return { inUseBytes, running, queued: queue.length, peakBytes, peakRunning, peakQueued };
}
