/**
 * dash-pages' flows in Chromium against `wrangler dev` (issue 17 §3): ban shows the badge and the
 * API says banned; metadata edited in the editor is what the API then returns (a removed key
 * included); a create with a taken email shows form_identifier_exists at the email field; an
 * endpoint's secret is in the page only after "Reveal secret"; screenshots of a user's page.
 * Fixtures are made through @clerk/backend, so what the page shows is checked against the SDK.
 */
import type { Locator, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { apiClient, DESKTOP, launchBrowser, PHONE, type Server, screenshot, signIn, startServer, type TestBrowser } from "./harness";

let server: Server;
let browser: TestBrowser;
let clerk: ReturnType<typeof apiClient>;
let page: Page;
let n = 0;
const unique = (prefix: string) => `${prefix}${Date.now().toString(36)}${++n}`;

beforeAll(async () => {
  server = await startServer();
  browser = await launchBrowser();
  clerk = apiClient(server);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

beforeEach(async () => {
  page = await browser.browser.newPage({ viewport: DESKTOP });
  await signIn(page, server);
});

afterEach(async () => {
  await page?.close();
});

/** The text of the elements that describe a control (aria-describedby): its hint and error. */
async function descriptionOf(control: Locator): Promise<string> {
  return control.evaluate((el) =>
    (el.getAttribute("aria-describedby") ?? "")
      .split(/\s+/)
      .filter(Boolean)
      .map((id) => document.getElementById(id)?.textContent ?? "")
      .join(" "),
  );
}

describe("a user's page", () => {
  it("Ban shows the Banned badge and the API says banned: true; Unban reverses both", async () => {
    const user = await clerk.users.createUser({ emailAddress: [`${unique("ban")}@example.com`], firstName: "Ban", lastName: "Me" });
    await page.goto(`${server.url}/dashboard/users/${user.id}`);
    const badge = page.locator(".badge", { hasText: /^Banned$/ });
    await page.getByRole("button", { name: "Ban", exact: true }).click();
    await badge.waitFor();
    expect((await clerk.users.getUser(user.id)).banned).toBe(true);

    await page.getByRole("button", { name: "Unban" }).click();
    await page.getByRole("button", { name: "Ban", exact: true }).waitFor();
    expect(await badge.count()).toBe(0);
    expect((await clerk.users.getUser(user.id)).banned).toBe(false);
  });

  it("metadata edited in the editor is what the API returns, a removed key included; invalid JSON cannot be saved", async () => {
    const user = await clerk.users.createUser({
      emailAddress: [`${unique("meta")}@example.com`],
      publicMetadata: { plan: "pro", nested: { a: 1, b: 2 }, drop: true },
      privateMetadata: { notes: { x: 1 }, keep: "yes" },
    });
    await page.goto(`${server.url}/dashboard/users/${user.id}`);
    const save = page.getByRole("button", { name: "Save metadata" });
    const publicEditor = page.getByRole("textbox", { name: "Public metadata" });
    const privateEditor = page.getByRole("textbox", { name: "Private metadata" });
    const unsafeEditor = page.getByRole("textbox", { name: "Unsafe metadata" });
    await publicEditor.waitFor();

    // Not JSON: an error at the field and no save.
    await unsafeEditor.fill('{"a": ');
    expect(await descriptionOf(unsafeEditor)).toMatch(/Invalid JSON/);
    expect(await save.isDisabled()).toBe(true);

    // Removed: public `drop` and `nested.b`, private `notes`; changed and added values too.
    const editedPublic = { plan: "team", nested: { a: 1 }, added: [1, null, { deep: "x" }] };
    const editedPrivate = { keep: "yes" };
    const editedUnsafe = { theme: "dark" };
    await publicEditor.fill(JSON.stringify(editedPublic, null, 2));
    await privateEditor.fill(JSON.stringify(editedPrivate));
    await unsafeEditor.fill(JSON.stringify(editedUnsafe));
    expect(await save.isDisabled()).toBe(false);
    await save.click();
    await page.getByRole("status").filter({ hasText: "Saved." }).waitFor();

    const after = await clerk.users.getUser(user.id);
    expect(after.publicMetadata).toEqual(editedPublic);
    expect(after.privateMetadata).toEqual(editedPrivate);
    expect(after.unsafeMetadata).toEqual(editedUnsafe);
    // The editors now show what the API answered.
    expect(JSON.parse(await publicEditor.inputValue())).toEqual(after.publicMetadata);
    expect(JSON.parse(await privateEditor.inputValue())).toEqual(after.privateMetadata);
  });

  it("screenshots at 1280×800 and 375×812, with nothing wider than the 375 px screen", async () => {
    const user = await clerk.users.createUser({
      emailAddress: [`${unique("ada")}@example.com`, `${unique("ada.work")}@example.com`],
      phoneNumber: [`+1555555${String(1000 + (Date.now() % 9000))}`],
      username: unique("ada"),
      firstName: "Ada",
      lastName: "Lovelace",
      password: "correct horse battery staple 1",
      publicMetadata: { plan: "pro", seats: 5 },
      privateMetadata: { crm_id: "A-1001" },
    });
    const org = await clerk.organizations.createOrganization({ name: "Analytical Engines", createdBy: user.id });
    await clerk.users.lockUser(user.id);
    for (const [viewport, name] of [
      [DESKTOP, "user-desktop"],
      [PHONE, "user-375"],
    ] as const) {
      await page.setViewportSize(viewport);
      await page.goto(`${server.url}/dashboard/users/${user.id}`);
      await page.getByRole("link", { name: org.name }).waitFor();
      await page.getByRole("button", { name: "Unlock" }).waitFor();
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      expect(overflow, `horizontal overflow at ${viewport.width} px`).toBeLessThanOrEqual(0);
      await screenshot(page, name);
    }
  });
});

describe("create user", () => {
  it("a taken email shows form_identifier_exists at the email field and stays on the form", async () => {
    const email = `${unique("taken")}@example.com`;
    await clerk.users.createUser({ emailAddress: [email] });
    await page.goto(`${server.url}/dashboard/users/new`);
    const emailField = page.getByRole("textbox", { name: "Email addresses" });
    await emailField.fill(email);
    await page.getByRole("textbox", { name: "First name" }).fill("Second");
    await page.getByRole("button", { name: "Create user" }).click();
    await page.locator(".field-error").first().waitFor();
    expect(await descriptionOf(emailField)).toMatch(/form_identifier_exists/);
    expect(await emailField.getAttribute("aria-invalid")).toBe("true");
    // The other fields carry no error, and the page did not move.
    expect(await descriptionOf(page.getByRole("textbox", { name: "First name" }))).toBe("");
    expect(new URL(page.url()).pathname).toBe("/dashboard/users/new");

    // A free address then creates the user and opens its page.
    const free = `${unique("free")}@example.com`;
    await emailField.fill(free);
    await page.getByRole("button", { name: "Create user" }).click();
    await page.waitForURL(/\/dashboard\/users\/user_/);
    const id = new URL(page.url()).pathname.split("/").pop() as string;
    expect((await clerk.users.getUser(id)).emailAddresses.map((e) => e.emailAddress)).toEqual([free]);
  });
});

describe("webhooks", () => {
  it("an endpoint's secret is in the page only after Reveal secret", async () => {
    await page.goto(`${server.url}/dashboard/webhooks`);
    await page.getByRole("textbox", { name: "Endpoint URL" }).fill("https://hooks.example.com/clerk");
    await page.getByRole("checkbox", { name: "user.created" }).check();
    await page.getByRole("button", { name: "Add endpoint" }).click();
    await page.waitForURL(/\/dashboard\/webhooks\/wep_/);
    await page.getByRole("button", { name: "Reveal secret" }).waitFor();
    expect(await page.content()).not.toMatch(/whsec_/);

    await page.getByRole("button", { name: "Reveal secret" }).click();
    const secret = page.getByText(/^whsec_/);
    await secret.waitFor();
    expect(await secret.count()).toBe(1);
    await page.getByRole("button", { name: "Hide secret" }).click();
    expect(await page.content()).not.toMatch(/whsec_/);
  });
});
