/**
 * The webhook receiver of bench/webhooks.mjs, in a process of its own so that the load
 * generator's work never delays an arrival's timestamp. Started with `fork()`; answers every
 * POST 204 at once and records, per request, when its body had fully arrived (Date.now(), the
 * clock the Worker's envelope `timestamp` is read from), the path (one per endpoint), `svix-id`
 * and the envelope's `timestamp`, `type` and `data.id`. Verifies nothing (signatures are the
 * e2e tests' job): the bench measures delivery, not the receiver.
 *
 * IPC: it sends `{ port }` once listening; `{ cmd: "count", path }` → `{ count }` (requests to
 * that path so far); `{ cmd: "take", path }` → `{ records }` (and forgets them).
 */
import { createServer } from "node:http";

/** @type {Map<string, { id: string, at: number, timestamp: number, type: string, dataId: string }[]>} */
const byPath = new Map();

const server = createServer((request, response) => {
  const chunks = [];
  request.on("data", (chunk) => chunks.push(chunk));
  request.on("end", () => {
    const at = Date.now();
    response.writeHead(204).end();
    let envelope;
    try {
      envelope = JSON.parse(Buffer.concat(chunks).toString("utf8"));
    } catch {
      envelope = {};
    }
    const path = request.url ?? "/";
    if (!byPath.has(path)) byPath.set(path, []);
    byPath.get(path).push({
      id: String(request.headers["svix-id"] ?? ""),
      at,
      timestamp: Number(envelope.timestamp),
      type: String(envelope.type),
      dataId: String(envelope.data?.id),
    });
  });
});

process.on("message", (message) => {
  if (message.cmd === "count") process.send({ count: byPath.get(message.path)?.length ?? 0 });
  else if (message.cmd === "take") {
    process.send({ records: byPath.get(message.path) ?? [] });
    byPath.delete(message.path);
  } else if (message.cmd === "stop") server.close(() => process.exit(0));
});

server.listen(0, "127.0.0.1", () => process.send({ port: server.address().port }));
