/**
 * A webhook receiver that runs in Node, outside the Worker: the route tests install it as
 * miniflare's `outboundService` for the host `hooks.test`. The first path segment picks its
 * behaviour, the rest names the receiver (tests use a fresh name each):
 *   /ok/…         → 204
 *   /fail2/…      → 500 to the first two requests, then 200
 *   /always500/…  → 500
 *   /redirect/…   → 302 to /ok/… (a Worker that followed it would be recorded there)
 *   /slow/…       → 200 after SLOW_RECEIVER_MS (more than the tests' WEBHOOK_TIMEOUT_MS)
 * GET /__received/<rest of the path> lists what that receiver got: method, path, headers, body
 * and the time, in arrival order.
 */
export const SLOW_RECEIVER_MS = 2_500;

export interface ReceivedRequest {
  path: string;
  headers: Record<string, string>;
  body: string;
  at: number;
}

export function createWebhookReceiver() {
  const received = new Map<string, ReceivedRequest[]>();

  async function handle(request: Request): Promise<Response> {
    const url = new URL(request.url);
    if (request.method === "GET" && url.pathname.startsWith("/__received/")) {
      const key = url.pathname.slice("/__received".length);
      return Response.json(received.get(key) ?? []);
    }
    const [, mode] = url.pathname.split("/");
    const key = url.pathname.slice(mode.length + 1);
    const list = received.get(key) ?? [];
    received.set(key, list);
    list.push({ path: url.pathname, headers: Object.fromEntries(request.headers), body: await request.text(), at: Date.now() });
    switch (mode) {
      case "ok":
        return new Response(null, { status: 204 });
      case "fail2":
        return new Response(list.length <= 2 ? "try later" : "ok", { status: list.length <= 2 ? 500 : 200 });
      case "always500":
        return new Response("no", { status: 500 });
      case "redirect":
        return new Response(null, { status: 302, headers: { Location: `https://hooks.test/ok${key}` } });
      case "slow":
        await new Promise((resolve) => setTimeout(resolve, SLOW_RECEIVER_MS));
        return new Response("late", { status: 200 });
      default:
        return new Response("unknown mode", { status: 404 });
    }
  }

  return { handle };
}
