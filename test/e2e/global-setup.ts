import type { TestProject } from "vitest/node";
import { startWorker, type WorkerProcess } from "./worker-process";

export const E2E_SECRET_KEY = "sk_test_e2e_primary";

let worker: WorkerProcess | undefined;

export async function setup(project: TestProject): Promise<void> {
  worker = await startWorker({
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
}

declare module "vitest" {
  export interface ProvidedContext {
    apiUrl: string;
    secretKey: string;
  }
}
