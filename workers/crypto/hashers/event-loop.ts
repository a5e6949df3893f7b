/**
 * A turn of the event loop in the middle of a long hash computation. A verification that runs
 * for seconds without one starves every other request on the isolate (and the runtime's own
 * I/O: wrangler dev then answers the next request 503); awaiting this now and then costs
 * microseconds and lets them through. It does not make the computation cheaper.
 */
export function turnEventLoop(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}
