/**
 * The dashboard in a real browser (issue 17 §3): sign-in, the users list's search, sign-out,
 * a cross-site form POST carrying the session cookie, and the users-list screenshots.
 */
import { createServer, type Server as HttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiClient, DESKTOP, launchBrowser, PHONE, type Server, SECRET_KEY, screenshot, signIn, startServer, type TestBrowser } from "./harness";

let server: Server;
let browser: TestBrowser;
let clerk: ReturnType<typeof apiClient>;
const run = Date.now().toString(36);

beforeAll(async () => {
  [server, browser] = await Promise.all([startServer(), launchBrowser()]);
  clerk = apiClient(server);
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

async function newPage(viewport = DESKTOP): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.browser.newContext({ viewport });
  const page = await context.newPage();
  return { context, page };
}

describe("sign-in", () => {
  it("a wrong key shows Clerk's message at the field and no session; the right key opens the users list with an HttpOnly, SameSite=Strict cookie", async () => {
    const { context, page } = await newPage();
    await page.goto(`${server.url}/dashboard/users/user_deeplink`);
    const keyField = page.getByLabel("Secret key");
    await keyField.fill("sk_test_not_a_key");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect
      .poll(() => page.locator(".field-error").textContent())
      .toBe("The provided Clerk Secret Key is invalid. Make sure that your Clerk Secret Key is correct.");
    // The message is tied to the field for screen readers.
    const describedBy = await keyField.getAttribute("aria-describedby");
    expect(await page.locator(`[id="${describedBy}"]`).textContent()).toContain("Secret Key is invalid");
    expect(await keyField.inputValue()).toBe("");
    expect(await context.cookies()).toEqual([]);

    await keyField.fill(SECRET_KEY);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("button", { name: "Sign out" }).waitFor();
    const cookies = await context.cookies();
    expect(cookies).toHaveLength(1);
    expect(cookies[0]).toMatchObject({ name: "dashboard_session", httpOnly: true, sameSite: "Strict", path: "/" });
    expect(cookies[0].value).not.toContain(SECRET_KEY);
    // Scripts cannot read it.
    expect(await page.evaluate(() => document.cookie)).toBe("");
    await context.close();
  });
});

describe("users list", () => {
  it("screenshots: desktop 1280×800 and 375 px wide", async () => {
    const people = [
      ["Ada", "Lovelace"],
      ["Grace", "Hopper"],
      ["Alan", "Turing"],
      ["Katherine", "Johnson"],
      ["Edsger", "Dijkstra"],
      ["Barbara", "Liskov"],
    ];
    for (const [first, last] of people) {
      const user = await clerk.users.createUser({
        firstName: first,
        lastName: last,
        emailAddress: [`${first.toLowerCase()}.${last.toLowerCase()}@example.com`],
        username: `${first.toLowerCase()}_${last.toLowerCase()}`,
      });
      if (first === "Alan") await clerk.users.banUser(user.id);
    }
    for (const [viewport, name] of [
      [DESKTOP, "users-list-desktop"],
      [PHONE, "users-list-375"],
    ] as const) {
      const { context, page } = await newPage(viewport);
      await signIn(page, server);
      // The first users of this server: the whole list is these six.
      await expect.poll(() => page.locator("table tbody tr").count()).toBe(people.length);
      await page.evaluate(() => Promise.all([...document.images].map((img) => img.decode().catch(() => undefined))));
      // No horizontal page overflow at this width (the table scrolls inside its own box).
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(viewport.width);
      const path = await screenshot(page, name);
      expect(path.endsWith(`${name}.png`)).toBe(true);
      await context.close();
    }
  });

  it("search finds a user created through the API, debounced into the URL; the deep link reproduces the view", async () => {
    const needle = `zed${run}`;
    const target = await clerk.users.createUser({
      firstName: "Zelda",
      lastName: "Quill",
      emailAddress: [`${needle}@example.com`],
      username: `${needle}_u`,
    });
    await clerk.users.createUser({ firstName: "Other", emailAddress: [`other${run}@example.com`] });
    const { context, page } = await newPage();
    await signIn(page, server);
    await page.getByRole("table").waitFor();
    const requests: string[] = [];
    page.on("request", (request) => {
      if (request.url().includes("/v1/users?")) requests.push(request.url());
    });
    await page.getByLabel("Search users").pressSequentially(needle, { delay: 20 });
    const rows = page.locator("table tbody tr");
    await expect.poll(() => rows.count(), { timeout: 10_000 }).toBe(1);
    await expect.poll(() => page.locator("#users-range").textContent()).toBe("1–1 of 1 users");
    const row = rows.first();
    expect(await row.textContent()).toContain(`${needle}@example.com`);
    expect(await row.getByRole("link").textContent()).toBe("Zelda Quill");
    expect(await row.getByRole("link").getAttribute("href")).toBe(`/dashboard/users/${target.id}`);
    // Debounced: typing 10+ characters sent one search request, not one per key.
    expect(requests.filter((url) => new URL(url).searchParams.get("query") === needle)).toHaveLength(1);
    expect(requests.length).toBeLessThanOrEqual(2);
    expect(new URL(page.url()).searchParams.get("query")).toBe(needle);

    const deepLink = page.url();
    const other = await context.newPage();
    await other.goto(deepLink);
    await expect.poll(() => other.locator("table tbody tr").count()).toBe(1);
    expect(await other.getByLabel("Search users").inputValue()).toBe(needle);
    await context.close();
  });

  it("sorting by a column sets order_by in the URL and the request; the banned filter narrows the list", async () => {
    const tag = `srt${run}`;
    await clerk.users.createUser({ firstName: "Bea", username: `${tag}_b`, emailAddress: [`${tag}b@example.com`] });
    await clerk.users.createUser({ firstName: "Abe", username: `${tag}_a`, emailAddress: [`${tag}a@example.com`] });
    const banned = await clerk.users.createUser({ firstName: "Cal", username: `${tag}_c`, emailAddress: [`${tag}c@example.com`] });
    await clerk.users.banUser(banned.id);
    const { context, page } = await newPage();
    await signIn(page, server);
    await page.goto(`${server.url}/dashboard/?query=${tag}`);
    const names = () => page.locator("table tbody tr .user-name").allTextContents();
    await expect.poll(async () => (await names()).sort()).toEqual(["Abe", "Bea", "Cal"]);
    await page.getByRole("button", { name: /^Sort by name/ }).click();
    await expect.poll(names).toEqual(["Abe", "Bea", "Cal"]);
    expect(new URL(page.url()).searchParams.get("order")).toBe("+first_name");
    await page.getByRole("button", { name: /^Sort by name/ }).click();
    await expect.poll(names).toEqual(["Cal", "Bea", "Abe"]);
    expect(await page.locator('th[aria-sort="descending"]').allTextContents()).toEqual(["Name ▼"]);
    await page.getByLabel("Banned").selectOption("true");
    await expect.poll(names).toEqual(["Cal"]);
    expect(await page.locator("table tbody tr").first().getByText("Banned", { exact: true }).count()).toBe(1);
    expect(new URL(page.url()).searchParams.get("banned")).toBe("true");
    await context.close();
  });

  it("paging uses the total from /users/count", async () => {
    const tag = `pg${run}`;
    for (let i = 0; i < 23; i++) await clerk.users.createUser({ username: `${tag}_${String(i).padStart(2, "0")}` });
    const { context, page } = await newPage();
    await signIn(page, server);
    await page.goto(`${server.url}/dashboard/?query=${tag}&order=%2Busername`);
    await expect.poll(() => page.locator("#users-range").textContent()).toBe("1–20 of 23 users");
    await page.getByRole("button", { name: "Next page" }).click();
    await expect.poll(() => page.locator("#users-range").textContent()).toBe("21–23 of 23 users");
    expect(await page.locator("table tbody tr").count()).toBe(3);
    expect(new URL(page.url()).searchParams.get("page")).toBe("2");
    expect(await page.getByRole("button", { name: "Next page" }).isDisabled()).toBe(true);
    await context.close();
  });
});

describe("sign-out", () => {
  it("Sign out, then a reload asks for the key again (the cookie is gone and the session API says 401)", async () => {
    const { context, page } = await newPage();
    await signIn(page, server);
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByLabel("Secret key").waitFor();
    expect(await context.cookies()).toEqual([]);
    await page.reload();
    await page.getByLabel("Secret key").waitFor();
    expect(await page.getByRole("button", { name: "Sign out" }).count()).toBe(0);
    const status = await page.evaluate(async () => (await fetch("/v1/users/count")).status);
    expect(status).toBe(401);
    await context.close();
  });
});

describe("cross-site POST with the session cookie", () => {
  let attacker: HttpServer;
  let attackerPort: number;
  let target = "";
  beforeAll(async () => {
    // A page on another origin that submits a form to the API as soon as it loads.
    attacker = createServer((_request, response) => {
      const action = `${server.url}/v1/users/${target}/ban`;
      response.writeHead(200, { "content-type": "text/html" });
      response.end(
        `<!doctype html><form method="POST" action="${action}"><input name="x" value="1"></form><script>document.forms[0].submit()</script>`,
      );
    });
    await new Promise<void>((resolve) => attacker.listen(0, "127.0.0.1", resolve));
    attackerPort = (attacker.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise((resolve) => attacker.close(resolve));
  });

  it.each([
    [
      "same site, another origin (127.0.0.1 on another port: the cookie is sent, the Origin check refuses)",
      "127.0.0.1",
      403,
      "authorization_invalid",
    ],
    ["another site (localhost: SameSite=Strict keeps the cookie home)", "localhost", 401, "authorization_header_format_invalid"],
  ])("%s → refused, and the API says the user is not banned", async (_name, host, status, code) => {
    const user = await clerk.users.createUser({ username: `victim_${host.replace(/\W/g, "")}_${run}` });
    target = user.id;
    const { context, page } = await newPage();
    await signIn(page, server);
    const answer = page.waitForResponse((response) => response.url().endsWith(`/v1/users/${user.id}/ban`));
    await page.goto(`http://${host}:${attackerPort}/`);
    const response = await answer;
    expect(response.status()).toBe(status);
    expect((await response.json()).errors[0].code).toBe(code);
    expect((await clerk.users.getUser(user.id)).banned).toBe(false);
    // The session itself is intact: the dashboard still works.
    await page.goto(`${server.url}/dashboard/`);
    await page.getByRole("button", { name: "Sign out" }).waitFor();
    await context.close();
  });
});
