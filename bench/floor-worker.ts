/**
 * The runtime's floor for `npm run bench`: a Worker that answers every request with a small
 * constant JSON body and touches no binding. Served by the same `wrangler dev` as the API, so
 * the ratio to it shows what the API itself costs on this machine.
 */
const BODY = JSON.stringify({ object: "floor", ok: true });

export default {
  async fetch(): Promise<Response> {
    return new Response(BODY, { headers: { "Content-Type": "application/json" } });
  },
} satisfies ExportedHandler;
