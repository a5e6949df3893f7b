import type { TestProject } from "vitest/node";
import { startOAuthProviderServer, type OAuthProviderServer } from "./oauth-provider-server";
import { startWorker, type WorkerProcess } from "./worker-process";

export const E2E_SECRET_KEY = "sk_test_e2e_primary";

let worker: WorkerProcess | undefined;
let oauthProvider: OAuthProviderServer | undefined;

export async function setup(project: TestProject): Promise<void> {
  // The OAuth provider's token endpoint must be up before the Worker that refreshes against it.
  oauthProvider = await startOAuthProviderServer();
  project.provide("oauthProviderUrl", oauthProvider.url);
  worker = await startWorker({
    ...oauthProvider.vars,
    CLERK_SECRET_KEY: `${E2E_SECRET_KEY},sk_test_e2e_rotated`,
    CREDENTIALS_ENCRYPTION_KEY: "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
    BCRYPT_COST: "4",
    USER_CREATE_RATE_LIMIT: "100000",
  });
  project.provide("apiUrl", worker.url);
  project.provide("secretKey", E2E_SECRET_KEY);
}

export async function teardown(): Promise<void> {
  await worker?.stop();
  await oauthProvider?.stop();
}

declare module "vitest" {
  export interface ProvidedContext {
    apiUrl: string;
    secretKey: string;
    oauthProviderUrl: string;
  }
}
