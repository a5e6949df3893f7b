/**
 * Managing organizations and webhook endpoints from the dashboard (issue 17 §1) in Chromium
 * against `wrangler dev`: create an organization from the list (a taken slug answered at the Slug
 * field), add a member and change their role, delete an organization after typing its slug, edit
 * an endpoint's settings and rotate its secret. Each outcome is read back through the API, so the
 * page is checked against what the API stores, not against itself.
 */
import { describe, expect, it } from "vitest";
import { bearerFetch, dashboardSuite, descriptionOf, PHONE, unique } from "./harness";

const t = dashboardSuite();

/** Horizontal overflow of the page in CSS pixels (0 when nothing is wider than the screen). */
const overflow = () => t.page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);

describe("organizations", () => {
  it("Create organization: a taken slug shows form_identifier_exists at the Slug field; a free one opens the new organization the API stores", async () => {
    const owner = await t.clerk.users.createUser({ emailAddress: [`${unique("creator")}@example.com`] });
    const taken = unique("taken-");
    await t.clerk.organizations.createOrganization({ name: "First", slug: taken });

    await t.page.goto(`${t.server.url}/dashboard/organizations`);
    const name = t.page.getByRole("textbox", { name: "Organization name" });
    const slug = t.page.getByRole("textbox", { name: "Slug" });
    const createdBy = t.page.getByRole("textbox", { name: "Created by (user ID)" });
    const create = t.page.getByRole("button", { name: "Create organization" });
    expect(await create.isDisabled()).toBe(true); // no name yet
    await name.fill("Second Org");
    await slug.fill(taken);
    await create.click();
    await expect.poll(() => slug.getAttribute("aria-invalid")).toBe("true");
    expect(await descriptionOf(slug)).toMatch(/form_identifier_exists/);
    expect(await name.getAttribute("aria-invalid")).toBeNull();
    expect(new URL(t.page.url()).pathname).toBe("/dashboard/organizations");

    const free = unique("free-");
    await slug.fill(free);
    expect(await slug.getAttribute("aria-invalid")).toBeNull(); // editing the field clears its error
    await createdBy.fill(owner.id);
    await create.click();
    await t.page.waitForURL(/\/dashboard\/organizations\/org_/);
    const id = new URL(t.page.url()).pathname.split("/").pop() as string;
    await t.page.getByRole("heading", { name: "Second Org" }).waitFor();
    const stored = await t.clerk.organizations.getOrganization({ organizationId: id });
    expect({ name: stored.name, slug: stored.slug, createdBy: stored.createdBy }).toEqual({ name: "Second Org", slug: free, createdBy: owner.id });
    // The creator became its admin, and the page lists them.
    await t.page.getByRole("combobox", { name: /^Role of / }).waitFor();
    expect(await t.page.getByRole("combobox", { name: /^Role of / }).inputValue()).toBe("org:admin");
  });

  it("Add member: an unknown user id is answered at the User ID field, a member twice above the form; the added member's role changed in the page is the API's", async () => {
    const org = await t.clerk.organizations.createOrganization({ name: unique("Members ") });
    const user = await t.clerk.users.createUser({ emailAddress: [`${unique("grace")}@example.com`], firstName: "Grace", lastName: "Hopper" });
    const roleOf = async () =>
      (await t.clerk.organizations.getOrganizationMembershipList({ organizationId: org.id })).data.find((m) => m.publicUserData?.userId === user.id)
        ?.role;

    await t.page.goto(`${t.server.url}/dashboard/organizations/${org.id}`);
    const members = t.page.getByRole("region", { name: "Members" });
    await members.getByText("No members.").waitFor();
    const userId = members.getByRole("textbox", { name: "User ID" });
    const add = members.getByRole("button", { name: "Add member" });

    await userId.fill("user_does_not_exist");
    await add.click();
    await expect.poll(() => userId.getAttribute("aria-invalid")).toBe("true");
    expect(await descriptionOf(userId)).toMatch(/form_resource_not_found/);

    await userId.fill(user.id);
    await members.getByRole("combobox", { name: "Member role" }).selectOption("org:member");
    await add.click();
    const role = members.getByRole("combobox", { name: "Role of Grace Hopper" });
    await role.waitFor();
    expect(await userId.inputValue()).toBe(""); // the form is ready for the next one
    expect(await roleOf()).toBe("org:member");
    expect(await role.inputValue()).toBe("org:member");

    // The same user again: the API's error, which names no field, shows above the form.
    await userId.fill(user.id);
    await add.click();
    await members.getByRole("alert").filter({ hasText: "already_a_member_in_organization" }).waitFor();

    await role.selectOption("org:admin");
    await expect.poll(roleOf).toBe("org:admin");
    await t.page.reload();
    await expect.poll(() => role.inputValue()).toBe("org:admin");
  });

  it("Delete organization asks for the slug typed out; after it the list opens and the API answers 404", async () => {
    const org = await t.clerk.organizations.createOrganization({ name: unique("Doomed "), slug: unique("doomed-") });
    await t.page.goto(`${t.server.url}/dashboard/organizations/${org.id}`);
    await t.page.getByRole("button", { name: "Delete organization" }).click();
    const dialog = t.page.getByRole("dialog", { name: "Delete this organization?" });
    const confirm = dialog.getByRole("button", { name: "Delete organization permanently" });
    const typed = dialog.getByRole("textbox");
    await typed.fill(`${org.slug}x`);
    expect(await confirm.isDisabled()).toBe(true);
    // Escape (keyboard) backs out and nothing is deleted.
    await typed.press("Escape");
    await expect.poll(() => dialog.isVisible()).toBe(false);
    expect((await bearerFetch(t.server, "GET", `/organizations/${org.id}`)).status).toBe(200);

    await t.page.getByRole("button", { name: "Delete organization" }).click();
    await typed.fill(org.slug);
    await confirm.click();
    await t.page.waitForURL((url) => url.pathname === "/dashboard/organizations");
    expect((await bearerFetch(t.server, "GET", `/organizations/${org.id}`)).status).toBe(404);
  });

  it("the organization list and page fit 375 px, their new forms included", async () => {
    const org = await t.clerk.organizations.createOrganization({ name: unique("Narrow ") });
    await t.page.setViewportSize(PHONE);
    await t.page.goto(`${t.server.url}/dashboard/organizations`);
    await t.page.getByRole("button", { name: "Create organization" }).waitFor();
    expect(await overflow()).toBeLessThanOrEqual(0);
    await t.page.goto(`${t.server.url}/dashboard/organizations/${org.id}`);
    await t.page.getByRole("button", { name: "Add member" }).waitFor();
    await t.page.getByRole("button", { name: "Delete organization" }).waitFor();
    expect(await overflow()).toBeLessThanOrEqual(0);
  });
});

describe("a webhook endpoint", () => {
  async function createEndpoint(): Promise<{ id: string; secret: string }> {
    const response = await bearerFetch(t.server, "POST", "/webhook_endpoints", { url: "https://old.example.com/hook", events: ["user.created"] });
    expect(response.status).toBe(200);
    return (await response.json()) as { id: string; secret: string };
  }
  const stored = async (id: string) => (await (await bearerFetch(t.server, "GET", `/webhook_endpoints/${id}`)).json()) as Record<string, unknown>;

  it("Edit endpoint: a URL the API refuses is answered at the URL field; saved URL, description and events are what the API then says", async () => {
    const endpoint = await createEndpoint();
    await t.page.goto(`${t.server.url}/dashboard/webhooks/${endpoint.id}`);
    const edit = t.page.getByRole("button", { name: "Edit endpoint" });
    await edit.click();
    const url = t.page.getByRole("textbox", { name: "Endpoint URL" });
    // Keyboard: the form opens with focus in its first field.
    await expect.poll(() => url.evaluate((el) => el === document.activeElement)).toBe(true);
    expect(await url.inputValue()).toBe("https://old.example.com/hook");
    expect(await t.page.getByRole("checkbox", { name: "user.created" }).isChecked()).toBe(true);

    await url.fill("ftp://new.example.com/hook");
    await t.page.getByRole("button", { name: "Save endpoint" }).click();
    await expect.poll(() => url.getAttribute("aria-invalid")).toBe("true");
    expect(await descriptionOf(url)).toMatch(/invalid_url_scheme/);
    expect((await stored(endpoint.id)).url).toBe("https://old.example.com/hook");

    await url.fill("https://new.example.com/hook");
    await t.page.getByRole("textbox", { name: "Description" }).fill("CRM sync");
    await t.page.getByRole("checkbox", { name: "user.created" }).uncheck();
    await t.page.getByRole("checkbox", { name: "user.deleted" }).check();
    await t.page.getByRole("button", { name: "Save endpoint" }).click();
    await t.page.getByRole("heading", { name: "https://new.example.com/hook" }).waitFor();
    expect(await stored(endpoint.id)).toMatchObject({ url: "https://new.example.com/hook", description: "CRM sync", events: ["user.deleted"] });
    // Back from the form, focus returns to the button that opened it.
    await expect.poll(() => edit.evaluate((el) => el === document.activeElement)).toBe(true);

    // Cancel (here with Escape) leaves the stored settings alone.
    await edit.click();
    await url.fill("https://discarded.example.com/");
    await url.press("Escape");
    await edit.waitFor();
    expect((await stored(endpoint.id)).url).toBe("https://new.example.com/hook");
  });

  it("Rotate secret asks once more, keeps the new secret hidden until revealed, and the revealed one is the API's new secret", async () => {
    const endpoint = await createEndpoint();
    await t.page.goto(`${t.server.url}/dashboard/webhooks/${endpoint.id}`);
    const secretText = t.page.getByText(/^whsec_/);
    await t.page.getByRole("button", { name: "Reveal secret" }).click();
    await secretText.waitFor();
    expect(await secretText.textContent()).toBe(endpoint.secret);

    const rotate = t.page.getByRole("button", { name: "Rotate secret", exact: true });
    const focused = (button: typeof rotate) => button.evaluate((el) => el === document.activeElement);
    // Keyboard: asking puts focus on Cancel; Escape backs out to the button, nothing rotated.
    await rotate.click();
    await expect.poll(() => focused(t.page.getByRole("button", { name: "Cancel" }))).toBe(true);
    await t.page.keyboard.press("Escape");
    await expect.poll(() => focused(rotate)).toBe(true);
    const secretNow = async () =>
      ((await (await bearerFetch(t.server, "GET", `/webhook_endpoints/${endpoint.id}/secret`)).json()) as { key: string }).key;
    expect(await secretNow()).toBe(endpoint.secret);

    await rotate.click();
    await t.page.getByRole("button", { name: "Confirm: Rotate secret" }).click();
    await expect.poll(() => focused(rotate)).toBe(true);
    await t.page.getByRole("status").filter({ hasText: "Secret rotated" }).waitFor();
    expect(await t.page.content()).not.toMatch(/whsec_/);

    await t.page.getByRole("button", { name: "Reveal secret" }).click();
    await secretText.waitFor();
    const revealed = await secretText.textContent();
    expect(revealed).toMatch(/^whsec_/);
    expect(revealed).not.toBe(endpoint.secret);
    expect(revealed).toBe(await secretNow());
  });

  it("the endpoint page with its edit form fits 375 px", async () => {
    const endpoint = await createEndpoint();
    await t.page.setViewportSize(PHONE);
    await t.page.goto(`${t.server.url}/dashboard/webhooks/${endpoint.id}`);
    await t.page.getByRole("button", { name: "Edit endpoint" }).click();
    await t.page.getByRole("button", { name: "Save endpoint" }).waitFor();
    expect(await overflow()).toBeLessThanOrEqual(0);
  });
});
