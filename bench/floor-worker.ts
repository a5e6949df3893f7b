/**
 * The runtime's floors for `npm run bench`, served by the same `wrangler dev` as the API so the
 * ratios to them show what the API itself costs on this machine:
 * - `/`: a small constant JSON body, touching no binding;
 * - `/d1`: the same after one trivial D1 query (`SELECT 1` on an empty local database), the
 *   ceiling for any route that needs the database once.
 */
const BODY = JSON.stringify({ object: "floor", ok: true });

interface Env {
  DB: D1Database;
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    if (new URL(request.url).pathname === "/d1") {
      const row = await env.DB.prepare("SELECT 1 AS one").first<{ one: number }>();
      return new Response(JSON.stringify({ object: "floor", ok: row?.one === 1 }), { headers: { "Content-Type": "application/json" } });
    }
    return new Response(BODY, { headers: { "Content-Type": "application/json" } });
  },
} satisfies ExportedHandler<Env>;
