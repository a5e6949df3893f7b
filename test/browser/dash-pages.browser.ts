/**
 * dash-pages' flows in Chromium against `wrangler dev` (issue 17 §3): ban shows the badge and the
 * API says banned; metadata edited in the editor is what the API then returns (a removed key
 * included); a create with a taken email shows form_identifier_exists at the email field; an
 * endpoint's secret is in the page only after "Reveal secret", and "Resend" sends a failed message
 * again; an organization's member role and invitations change through the page; screenshots of a
 * user's page. Fixtures are made through @clerk/backend (the webhook endpoint, an extension the
 * SDK has no method for, with a Bearer request), so what the page shows is checked against the API.
 */
import { createServer, type Server as HttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, describe, expect, it } from "vitest";
import { bearerFetch, DESKTOP, dashboardSuite, descriptionOf, PHONE, screenshot, unique } from "./harness";

// One retry, ten minutes after a failure: within a test only "Resend" sends a message again.
const t = dashboardSuite({ WEBHOOK_RETRY_SCHEDULE_SECONDS: "600" });

afterAll(async () => {
  const open = receiver;
  if (open) await new Promise((resolve) => open.close(resolve)); // absent when -t skipped the webhook tests
});

describe("a user's page", () => {
  it("Ban shows the Banned badge and the API says banned: true; Unban reverses both", async () => {
    const user = await t.clerk.users.createUser({ emailAddress: [`${unique("ban")}@example.com`], firstName: "Ban", lastName: "Me" });
    await t.page.goto(`${t.server.url}/dashboard/users/${user.id}`);
    const badge = t.page.locator(".badge", { hasText: /^Banned$/ });
    await t.page.getByRole("button", { name: "Ban", exact: true }).click();
    await badge.waitFor();
    expect((await t.clerk.users.getUser(user.id)).banned).toBe(true);

    await t.page.getByRole("button", { name: "Unban" }).click();
    await t.page.getByRole("button", { name: "Ban", exact: true }).waitFor();
    expect(await badge.count()).toBe(0);
    expect((await t.clerk.users.getUser(user.id)).banned).toBe(false);
  });

  it("Delete user asks for the primary email typed out; after it the users list opens and the API answers 404", async () => {
    const email = `${unique("gone")}@example.com`;
    const user = await t.clerk.users.createUser({ emailAddress: [email] });
    await t.page.goto(`${t.server.url}/dashboard/users/${user.id}`);
    await t.page.getByRole("button", { name: "Delete user", exact: true }).click();
    const dialog = t.page.getByRole("dialog", { name: "Delete this user?" });
    const confirm = dialog.getByRole("button", { name: "Delete user permanently" });
    await dialog.getByRole("textbox").fill(user.id);
    expect(await confirm.isDisabled()).toBe(true);
    await dialog.getByRole("textbox").fill(email);
    await confirm.click();
    await t.page.waitForURL((url) => url.pathname === "/dashboard/");
    expect((await bearerFetch(t.server, "GET", `/users/${user.id}`)).status).toBe(404);
  });

  it("metadata edited in the editor is what the API returns, a removed key included; invalid JSON cannot be saved", async () => {
    const user = await t.clerk.users.createUser({
      emailAddress: [`${unique("meta")}@example.com`],
      publicMetadata: { plan: "pro", nested: { a: 1, b: 2 }, drop: true },
      privateMetadata: { notes: { x: 1 }, keep: "yes" },
    });
    await t.page.goto(`${t.server.url}/dashboard/users/${user.id}`);
    const save = t.page.getByRole("button", { name: "Save metadata" });
    const publicEditor = t.page.getByRole("textbox", { name: "Public metadata" });
    const privateEditor = t.page.getByRole("textbox", { name: "Private metadata" });
    const unsafeEditor = t.page.getByRole("textbox", { name: "Unsafe metadata" });
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
    await t.page.getByRole("status").filter({ hasText: "Saved." }).waitFor();

    const after = await t.clerk.users.getUser(user.id);
    expect(after.publicMetadata).toEqual(editedPublic);
    expect(after.privateMetadata).toEqual(editedPrivate);
    expect(after.unsafeMetadata).toEqual(editedUnsafe);
    // The editors now show what the API answered.
    expect(JSON.parse(await publicEditor.inputValue())).toEqual(after.publicMetadata);
    expect(JSON.parse(await privateEditor.inputValue())).toEqual(after.privateMetadata);
  });

  it("screenshots at 1280×800 and 375×812, with nothing wider than the 375 px screen", async () => {
    const user = await t.clerk.users.createUser({
      emailAddress: [`${unique("ada")}@example.com`, `${unique("ada.work")}@example.com`],
      phoneNumber: [`+1555555${String(1000 + (Date.now() % 9000))}`],
      username: unique("ada"),
      firstName: "Ada",
      lastName: "Lovelace",
      password: "correct horse battery staple 1",
      publicMetadata: { plan: "pro", seats: 5 },
      privateMetadata: { crm_id: "A-1001" },
    });
    const org = await t.clerk.organizations.createOrganization({ name: "Analytical Engines", createdBy: user.id });
    await t.clerk.users.lockUser(user.id);
    for (const [viewport, name] of [
      [DESKTOP, "user-desktop"],
      [PHONE, "user-375"],
    ] as const) {
      await t.page.setViewportSize(viewport);
      await t.page.goto(`${t.server.url}/dashboard/users/${user.id}`);
      await t.page.getByRole("link", { name: org.name }).waitFor();
      await t.page.getByRole("button", { name: "Unlock" }).waitFor();
      const overflow = await t.page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      expect(overflow, `horizontal overflow at ${viewport.width} px`).toBeLessThanOrEqual(0);
      await screenshot(t.page, name);
    }
  });
});

describe("create user", () => {
  it("a taken email shows form_identifier_exists at the email field and stays on the form", async () => {
    const email = `${unique("taken")}@example.com`;
    await t.clerk.users.createUser({ emailAddress: [email] });
    await t.page.goto(`${t.server.url}/dashboard/users/new`);
    const emailField = t.page.getByRole("textbox", { name: "Email addresses" });
    await emailField.fill(email);
    await t.page.getByRole("textbox", { name: "First name" }).fill("Second");
    await t.page.getByRole("button", { name: "Create user" }).click();
    await t.page.locator(".field-error").first().waitFor();
    expect(await descriptionOf(emailField)).toMatch(/form_identifier_exists/);
    expect(await emailField.getAttribute("aria-invalid")).toBe("true");
    // The other fields carry no error, and the page did not move.
    expect(await descriptionOf(t.page.getByRole("textbox", { name: "First name" }))).toBe("");
    expect(new URL(t.page.url()).pathname).toBe("/dashboard/users/new");

    // A free address then creates the user and opens its page.
    const free = `${unique("free")}@example.com`;
    await emailField.fill(free);
    await t.page.getByRole("button", { name: "Create user" }).click();
    await t.page.waitForURL(/\/dashboard\/users\/user_/);
    const id = new URL(t.page.url()).pathname.split("/").pop() as string;
    expect((await t.clerk.users.getUser(id)).emailAddresses.map((e) => e.emailAddress)).toEqual([free]);
  });
});

describe("webhooks", () => {
  it("an endpoint's secret is in the page only after Reveal secret", async () => {
    await t.page.goto(`${t.server.url}/dashboard/webhooks`);
    await t.page.getByRole("textbox", { name: "Endpoint URL" }).fill("https://hooks.example.com/clerk");
    await t.page.getByRole("checkbox", { name: "user.created" }).check();
    await t.page.getByRole("button", { name: "Add endpoint" }).click();
    await t.page.waitForURL(/\/dashboard\/webhooks\/wep_/);
    await t.page.getByRole("button", { name: "Reveal secret" }).waitFor();
    expect(await t.page.content()).not.toMatch(/whsec_/);

    await t.page.getByRole("button", { name: "Reveal secret" }).click();
    const secret = t.page.getByText(/^whsec_/);
    await secret.waitFor();
    expect(await secret.count()).toBe(1);
    await t.page.getByRole("button", { name: "Hide secret" }).click();
    expect(await t.page.content()).not.toMatch(/whsec_/);
  });
});

/** A webhook receiver that answers 500 and records each request's svix-id and event type. */
let receiver: HttpServer | undefined;
const received: { svixId: string; type: string }[] = [];
async function failingReceiver(): Promise<string> {
  if (!receiver) {
    receiver = createServer((request, response) => {
      let body = "";
      request.on("data", (chunk) => {
        body += chunk;
      });
      request.on("end", () => {
        received.push({ svixId: String(request.headers["svix-id"]), type: JSON.parse(body).type });
        response.writeHead(500).end("no");
      });
    });
    await new Promise<void>((resolve) => receiver?.listen(0, "127.0.0.1", resolve));
  }
  return `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
}

/** Waits (polling, bounded) until the receiver has `count` requests. */
async function receivedAtLeast(count: number, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  while (received.length < count) {
    if (Date.now() > deadline) throw new Error(`the receiver got ${received.length} of ${count} requests`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return received;
}

describe("webhook attempts", () => {
  it("a failed message shows in the attempts log, and Resend sends it again with the same svix-id", async () => {
    const url = await failingReceiver();
    const created = await bearerFetch(t.server, "POST", "/webhook_endpoints", { url, events: ["user.created"] });
    expect(created.status).toBe(200);
    const endpoint = (await created.json()) as { id: string };
    await t.clerk.users.createUser({ emailAddress: [`${unique("hook")}@example.com`] });
    const [first] = await receivedAtLeast(1);
    expect(first.type).toBe("user.created");

    await t.page.goto(`${t.server.url}/dashboard/webhooks/${endpoint.id}`);
    // One row per attempt (README, Webhooks: attempts log): attempt 1 failed with 500, and the
    // upcoming attempt 2 pending (the retry schedule here is 600 s).
    const rows = t.page.getByRole("row").filter({ hasText: first.svixId });
    const failed = rows.filter({ hasText: "failed" });
    await failed.first().waitFor();
    expect(await failed.count()).toBe(1);
    expect(await failed.first().getByRole("cell").allTextContents()).toEqual(expect.arrayContaining(["user.created", "500", "1"]));
    expect(await rows.filter({ hasText: "pending" }).getByRole("cell").allTextContents()).toEqual(expect.arrayContaining(["user.created", "2"]));

    const resend = t.page.getByRole("button", { name: `Resend ${first.svixId}` }).first();
    await resend.click();
    await expect.poll(() => resend.isEnabled()).toBe(true); // the resend has been answered
    // Whether or not attempt 2 has been made yet, the log still has attempt 1's failure and one
    // row per attempt: the page shows the log as the API lists it, not the resend's answer
    // copied over every row of the message.
    const shown = await Promise.all(
      (await rows.all()).map(async (row) => {
        const cells = await row.getByRole("cell").allTextContents();
        return `attempt ${cells[4]} ${cells[2]}`;
      }),
    );
    expect(shown).toContain("attempt 1 failed");
    expect(new Set(shown).size).toBe(shown.length);
    await t.page
      .getByRole("status")
      .filter({ hasText: `${first.svixId} queued again (attempt 2)` })
      .waitFor();
    const all = await receivedAtLeast(2);
    expect(all).toHaveLength(2);
    expect(all[1]).toEqual(first);
    // The log reads the second failure back: attempt 2, answered 500, newest first.
    await expect
      .poll(async () => {
        await t.page.getByRole("button", { name: "Refresh attempts" }).click();
        return failed.count();
      })
      .toBe(2);
    expect(await failed.first().getByRole("cell").allTextContents()).toEqual(expect.arrayContaining(["user.created", "500", "2"]));
  });
});

describe("an organization's page", () => {
  it("a member's role changed in the page is the membership's role in the API; an invitation is created and revoked", async () => {
    const owner = await t.clerk.users.createUser({ emailAddress: [`${unique("owner")}@example.com`], firstName: "Olive", lastName: "Owner" });
    const member = await t.clerk.users.createUser({ emailAddress: [`${unique("member")}@example.com`], firstName: "Max", lastName: "Member" });
    const org = await t.clerk.organizations.createOrganization({ name: unique("Org "), createdBy: owner.id });
    await t.clerk.organizations.createOrganizationMembership({ organizationId: org.id, userId: member.id, role: "org:member" });
    const roleOf = async (userId: string) =>
      (await t.clerk.organizations.getOrganizationMembershipList({ organizationId: org.id, limit: 100 })).data.find(
        (m) => m.publicUserData?.userId === userId,
      )?.role;

    await t.page.goto(`${t.server.url}/dashboard/organizations/${org.id}`);
    const select = t.page.getByRole("combobox", { name: "Role of Max Member" });
    expect(await select.inputValue()).toBe("org:member");
    await select.selectOption("org:admin");
    await expect.poll(() => roleOf(member.id)).toBe("org:admin");
    await t.page.reload();
    expect(await select.inputValue()).toBe("org:admin");

    const invitee = `${unique("invitee")}@example.com`;
    await t.page.getByRole("textbox", { name: "Invitee email address" }).fill(invitee);
    await t.page.getByRole("button", { name: "Send invitation" }).click();
    const revoke = t.page.getByRole("button", { name: `Revoke invitation for ${invitee}` });
    await revoke.waitFor();
    const statusOf = async () =>
      (await t.clerk.organizations.getOrganizationInvitationList({ organizationId: org.id })).data.find((i) => i.emailAddress === invitee)?.status;
    expect(await statusOf()).toBe("pending");

    await revoke.click();
    await t.page.getByRole("button", { name: `Confirm: Revoke invitation for ${invitee}` }).click();
    await t.page.getByRole("row").filter({ hasText: invitee }).getByText("revoked").waitFor();
    expect(await statusOf()).toBe("revoked");
  });

  it("members and invitations past one page are paged, not cut: every one is reachable", async () => {
    const owner = await t.clerk.users.createUser({ emailAddress: [`${unique("pgowner")}@example.com`] });
    const org = await t.clerk.organizations.createOrganization({ name: unique("Paged "), createdBy: owner.id });
    // 51 more members (users made by the bulk import, which the create limit does not slow) and 51 invitations.
    const tag = unique("pg");
    const imported = await bearerFetch(t.server, "POST", "/users/import", {
      users: Array.from({ length: 51 }, (_, i) => ({ email_address: [`${tag}m${i}@example.com`] })),
    });
    const { results } = (await imported.json()) as { results: { id: string; status: string }[] };
    expect(results.every((r) => r.status === "created")).toBe(true);
    for (const r of results) await t.clerk.organizations.createOrganizationMembership({ organizationId: org.id, userId: r.id, role: "org:member" });
    for (let i = 0; i < 51; i++) {
      await t.clerk.organizations.createOrganizationInvitation({
        organizationId: org.id,
        emailAddress: `${tag}i${i}@example.com`,
        role: "org:member",
      });
    }

    await t.page.goto(`${t.server.url}/dashboard/organizations/${org.id}`);
    const members = t.page.getByRole("region", { name: "Members" });
    const invitations = t.page.getByRole("region", { name: "Invitations" });
    await members.getByRole("button", { name: "Next page of members" }).waitFor();
    expect(await members.locator("tbody tr").count()).toBe(50);
    await invitations.getByRole("button", { name: "Next page of invitations" }).waitFor();
    expect(await invitations.locator("tbody tr").count()).toBe(50);

    await members.getByRole("button", { name: "Next page of members" }).click();
    await expect.poll(() => new URL(t.page.url()).searchParams.get("members_page")).toBe("2");
    await expect.poll(() => members.locator("tbody tr").count()).toBe(2); // 52 members: 50 + 2
    await invitations.getByRole("button", { name: "Next page of invitations" }).click();
    await expect.poll(() => invitations.locator("tbody tr").count()).toBe(1); // 51 invitations: 50 + 1
    // The page state is in the URL: a reload shows the same pages.
    await t.page.reload();
    await expect.poll(() => members.locator("tbody tr").count()).toBe(2);
    await expect.poll(() => invitations.locator("tbody tr").count()).toBe(1);
  });
});
