/**
 * Serves the fake OAuth token endpoint (test/support/oauth-provider.ts) over real HTTP from Node,
 * for the Worker under `wrangler dev` to refresh tokens against.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createOAuthProvider, PROVIDER_CLIENT_ID, PROVIDER_CLIENT_SECRET, VAR_CLIENT_SECRET } from "../support/oauth-provider";

export interface OAuthProviderServer {
  url: string;
  /** Vars that point the Worker's oauth_google at this server (secret override included). */
  vars: Record<string, string>;
  stop(): Promise<void>;
}

export async function startOAuthProviderServer(): Promise<OAuthProviderServer> {
  const provider = createOAuthProvider();
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const headers = new Headers();
    for (const [key, value] of Object.entries(req.headers)) if (typeof value === "string") headers.set(key, value);
    const request = new Request(`http://127.0.0.1${req.url}`, {
      method: req.method,
      headers,
      body: req.method === "GET" || req.method === "HEAD" ? undefined : Buffer.concat(chunks),
    });
    const response = await provider.handle(request);
    res.writeHead(response.status, Object.fromEntries(response.headers));
    res.end(Buffer.from(await response.arrayBuffer()));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    vars: {
      OAUTH_PROVIDERS: JSON.stringify({
        oauth_google: { token_url: `${url}/token`, client_id: PROVIDER_CLIENT_ID, client_secret: VAR_CLIENT_SECRET },
      }),
      OAUTH_GOOGLE_CLIENT_SECRET: PROVIDER_CLIENT_SECRET,
    },
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
