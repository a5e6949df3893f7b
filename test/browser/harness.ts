/**
 * Browser-test harness (issue 17 §3): the Worker under `wrangler dev` on a free port with fresh
 * state, Debian's Chromium driven by playwright-core (a bundled browser download cannot work in
 * this environment), sign-in through the real page, and the official client for fixtures.
 */
import { mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { createClerkClient } from "@clerk/backend";
import { type Browser, chromium, type Locator, type Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, beforeEach } from "vitest";
import { startWorker, type WorkerProcess } from "../e2e/worker-process";

export const SECRET_KEY = "sk_test_browser_primary";
/** A second configured key (rotation): sessions made with either work. */
export const ROTATED_KEY = "sk_test_browser_rotated";
export const CHROMIUM = "/usr/bin/chromium";
export const SCREENSHOTS = resolve(dirname(fileURLToPath(import.meta.url)), "../../docs/screenshots");

export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 375, height: 812 };

export type Server = WorkerProcess;

/**
 * Starts the Worker (wrangler dev, fresh D1/R2/DO state in a temporary directory) on a free port.
 * `vars` override the defaults (e.g. a small sign-in rate limit).
 */
export async function startServer(vars: Record<string, string> = {}): Promise<Server> {
  return startWorker({
    CLERK_SECRET_KEY: `${SECRET_KEY},${ROTATED_KEY}`,
    CREDENTIALS_ENCRYPTION_KEY: "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
    BCRYPT_COST: "4",
    USER_CREATE_RATE_LIMIT: "100000",
    // Every test signs in from 127.0.0.1; the limit itself is tested in workerd.
    DASHBOARD_SIGN_IN_RATE_LIMIT: "1000",
    ...vars,
  });
}

/** The browser a test drives: headless Debian Chromium with a fresh profile directory. */
export interface TestBrowser {
  browser: Browser;
  close(): Promise<void>;
}

/**
 * Launches /usr/bin/chromium headless with the flags issue 17 §3 lists. The fresh profile
 * directory is playwright-core's own: `launch` refuses a `--user-data-dir` argument and instead
 * passes `--user-data-dir=<new temporary directory>` itself, deleted when the browser closes.
 */
export async function launchBrowser(): Promise<TestBrowser> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--disable-quic",
    ],
  });
  return {
    browser,
    async close() {
      await browser.close();
    },
  };
}

/** Opens /dashboard/, signs in with `key` through the form, and waits for the shell ("Sign out"). */
export async function signIn(page: Page, server: Server, key: string = SECRET_KEY): Promise<void> {
  await page.goto(`${server.url}/dashboard/`);
  await page.getByLabel("Secret key").fill(key);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("button", { name: "Sign out" }).waitFor();
}

/** The official Backend SDK pointed at the server, to create fixtures through the API. */
export function apiClient(server: Server) {
  return createClerkClient({ secretKey: SECRET_KEY, apiUrl: server.url });
}

/** Saves a full-page screenshot as docs/screenshots/<name>.png (shown in the README). */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true, animations: "disabled" });
  return path;
}

/** The text of the elements that describe a control (aria-describedby): its hint and error. */
export async function descriptionOf(control: Locator): Promise<string> {
  return control.evaluate((el) =>
    (el.getAttribute("aria-describedby") ?? "")
      .split(/\s+/)
      .filter(Boolean)
      .map((id) => document.getElementById(id)?.textContent ?? "")
      .join(" "),
  );
}

/**
 * A Bearer-key request to the server's /v1 API, for what the SDK has no method for (webhook
 * endpoints, an extension) or when a test reads the exact status.
 */
export function bearerFetch(server: Server, method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`${server.url}/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${SECRET_KEY}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

/** What a test file's tests share: the server, its browser and SDK client, and this test's page. */
export interface DashboardSuite {
  server: Server;
  browser: TestBrowser;
  clerk: ReturnType<typeof apiClient>;
  /** A fresh desktop-sized page, signed in, for each test. */
  page: Page;
}

/**
 * Registers a test file's hooks: one Worker (with `vars`) and one browser for the file, and a
 * signed-in page per test. The returned object is filled in by those hooks.
 */
export function dashboardSuite(vars: Record<string, string> = {}): DashboardSuite {
  const suite = {} as DashboardSuite;
  beforeAll(async () => {
    [suite.server, suite.browser] = await Promise.all([startServer(vars), launchBrowser()]);
    suite.clerk = apiClient(suite.server);
  }, 120_000);
  afterAll(async () => {
    await suite.browser?.close();
    await suite.server?.stop();
  });
  beforeEach(async () => {
    suite.page = await suite.browser.browser.newPage({ viewport: DESKTOP });
    await signIn(suite.page, suite.server);
  });
  afterEach(async () => {
    await suite.page?.close();
  });
  return suite;
}

let uniqueCount = 0;
/** `prefix` plus a suffix no other call in this run returns (the servers' state outlives a test). */
export function unique(prefix: string): string {
  uniqueCount += 1;
  return `${prefix}${Date.now().toString(36)}${uniqueCount}`;
}
