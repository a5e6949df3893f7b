import { env, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import worker from "../../workers/index";
import { BASE, call, createUser, expectError, unique } from "../helpers";

const PNG = Uint8Array.from(atob("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII="), (c) =>
  c.charCodeAt(0),
);
const JPEG = Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01]);
const GIF = new TextEncoder().encode("GIF89a\u0001\u0000\u0001\u0000\u0000\u0000\u0000;");
const WEBP = new TextEncoder().encode("RIFF\u001a\u0000\u0000\u0000WEBPVP8L\u000d\u0000\u0000\u0000/\u0000\u0000\u0000");
const TEN_MB = 10 * 1024 * 1024;

/** The form the official SDK sends: field `file`, filename "blob" unless given. */
function form(bytes: Uint8Array | string, type = "image/png", filename = "blob"): FormData {
  const data = new FormData();
  data.append("file", new File([bytes], filename, { type }));
  return data;
}

function upload(userId: string, body: BodyInit, headers: Record<string, string> = {}, vars?: Record<string, string>) {
  return call("POST", `/v1/users/${userId}/profile_image`, undefined, { rawBody: body, schema: "User", headers, vars });
}

/** Fetches a public image URL without credentials. */
async function fetchImage(url: string, headers: Record<string, string> = {}, method = "GET") {
  const response = await SELF.fetch(url, { method, headers });
  return { response, bytes: new Uint8Array(await response.arrayBuffer()) };
}

const imageIdOf = (url: string) => url.split("/").pop()!;

describe("POST /v1/users/:id/profile_image", () => {
  it("stores a PNG in R2 and serves it publicly with its type, a strong ETag and immutable caching", async () => {
    const user = await createUser({ username: unique("img") });
    expect(user.has_image).toBe(false);
    const result = await upload(user.id, form(PNG));
    expect(result.status).toBe(200);
    expect(result.body.has_image).toBe(true);
    expect(result.body.image_url).toMatch(/^https:\/\/api\.test\/images\/img_[0-9A-Za-z]{27}$/);
    expect(result.body.profile_image_url).toBe(result.body.image_url);

    const id = imageIdOf(result.body.image_url);
    const stored = await env.IMAGES.get(id);
    expect(stored?.httpMetadata?.contentType).toBe("image/png");
    expect(new Uint8Array(await stored!.arrayBuffer())).toEqual(PNG);

    const { response, bytes } = await fetchImage(result.body.image_url);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("image/png");
    expect(response.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    const etag = response.headers.get("etag")!;
    expect(etag).toMatch(/^"[^"]+"$/); // strong: no W/ prefix
    expect(bytes).toEqual(PNG);

    const revalidated = await fetchImage(result.body.image_url, { "If-None-Match": etag });
    expect(revalidated.response.status).toBe(304);
    expect(revalidated.bytes.byteLength).toBe(0);
    expect(revalidated.response.headers.get("etag")).toBe(etag);
    expect((await fetchImage(result.body.image_url, { "If-None-Match": `"other", W/${etag}` })).response.status).toBe(304);
    expect((await fetchImage(result.body.image_url, { "If-None-Match": '"other"' })).response.status).toBe(200);

    const head = await fetchImage(result.body.image_url, {}, "HEAD");
    expect(head.response.status).toBe(200);
    expect(head.response.headers.get("content-length")).toBe(String(PNG.byteLength));
  });

  it("decides the type from the bytes: a PNG named .txt is accepted, text named .png is refused", async () => {
    const user = await createUser({ username: unique("sniff") });
    const accepted = await upload(user.id, form(PNG, "text/plain", "notes.txt"));
    expect(accepted.status).toBe(200);
    expect((await env.IMAGES.head(imageIdOf(accepted.body.image_url)))?.httpMetadata?.contentType).toBe("image/png");

    const refused = await upload(user.id, form("hello, I am text", "image/png", "photo.png"));
    const error = expectError(refused, 400, "request_body_invalid");
    expect(error.message).toBe("Unsupported image type");
    const svg = await upload(user.id, form('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "image/svg+xml", "x.svg"));
    expect(expectError(svg, 400, "request_body_invalid").long_message).toContain("'image/svg+xml' images are not currently supported");
    // The refused uploads changed nothing.
    expect((await call("GET", `/v1/users/${user.id}`)).body.image_url).toBe(accepted.body.image_url);
  });

  it("accepts JPEG, GIF and WebP with the sniffed content type", async () => {
    for (const [bytes, type] of [
      [JPEG, "image/jpeg"],
      [GIF, "image/gif"],
      [WEBP, "image/webp"],
    ] as const) {
      const user = await createUser({ username: unique("kind") });
      const result = await upload(user.id, form(bytes, "application/octet-stream"));
      expect(result.status).toBe(200);
      const { response } = await fetchImage(result.body.image_url);
      expect(response.headers.get("content-type")).toBe(type);
    }
  });

  it("answers 400 form_param_missing 'Image file missing' without a file", async () => {
    const user = await createUser({ username: unique("missing") });
    const other = new FormData();
    other.append("image", new File([PNG], "blob", { type: "image/png" }));
    const asText = new FormData();
    asText.append("file", "not a file");
    for (const body of [other, asText, form(new Uint8Array(0))]) {
      const error = expectError(await upload(user.id, body), 400, "form_param_missing", "file");
      expect(error.message).toBe("Image file missing");
    }
    // The SDK's JSON content type with an empty body.
    expectError(await call("POST", `/v1/users/${user.id}/profile_image`), 400, "form_param_missing");
  });

  it("answers 400 request_body_invalid for a malformed multipart body", async () => {
    const user = await createUser({ username: unique("malformed") });
    const result = await upload(user.id, "--nope\r\ngarbage", { "Content-Type": "multipart/form-data; boundary=xyz" });
    expectError(result, 400, "request_body_invalid");
  });

  it("accepts exactly 10 MB and refuses one byte more with 413 image_too_large", async () => {
    const user = await createUser({ username: unique("big") });
    const exact = new Uint8Array(TEN_MB);
    exact.set(PNG);
    expect((await upload(user.id, form(exact))).status).toBe(200);
    const over = new Uint8Array(TEN_MB + 1);
    over.set(PNG);
    const error = expectError(await upload(user.id, form(over)), 413, "image_too_large");
    expect(error.long_message).toBe("The image being uploaded is more than 10MB. Please choose a smaller one.");
  });

  it("refuses a streamed body without Content-Length once it passes the limit, without reading the rest", async () => {
    const user = await createUser({ username: unique("stream") });
    const chunk = new Uint8Array(1024 * 1024);
    let pulled = 0;
    const total = 64; // a 64 MB body, produced on demand
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (pulled === 0) controller.enqueue(new TextEncoder().encode('--b\r\nContent-Disposition: form-data; name="file"; filename="blob"\r\n\r\n'));
        if (pulled >= total) return controller.close();
        pulled += 1;
        controller.enqueue(chunk);
      },
    });
    const request = new Request(`${BASE}/v1/users/${user.id}/profile_image`, {
      method: "POST",
      headers: { Authorization: "Bearer sk_test_primary", "Content-Type": "multipart/form-data; boundary=b" },
      body,
    });
    expect(request.headers.get("content-length")).toBeNull();
    const response = await worker.fetch(request, env);
    const json: any = await response.json();
    expect(response.status).toBe(413);
    expect(json.errors[0].code).toBe("image_too_large");
    expect(pulled).toBeLessThan(20);
  });

  it("refuses on a declared Content-Length before reading the body", async () => {
    const user = await createUser({ username: unique("declared") });
    let pulled = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled += 1;
        controller.enqueue(new Uint8Array(1024));
        if (pulled > 4) controller.close();
      },
    });
    const request = new Request(`${BASE}/v1/users/${user.id}/profile_image`, {
      method: "POST",
      headers: { Authorization: "Bearer sk_test_primary", "Content-Type": "multipart/form-data; boundary=b", "Content-Length": String(TEN_MB * 2) },
      body,
    });
    const response = await worker.fetch(request, env);
    expect(response.status).toBe(413);
    expect(((await response.json()) as any).errors[0].code).toBe("image_too_large");
    expect(pulled).toBeLessThanOrEqual(1);
  });

  it("replacing an image deletes the old object", async () => {
    const user = await createUser({ username: unique("replace") });
    const first = await upload(user.id, form(PNG));
    const second = await upload(user.id, form(JPEG));
    expect(second.body.image_url).not.toBe(first.body.image_url);
    expect(await env.IMAGES.head(imageIdOf(first.body.image_url))).toBeNull();
    expect((await fetchImage(first.body.image_url)).response.status).toBe(404);
    expect((await fetchImage(second.body.image_url)).response.status).toBe(200);
    const rows = await env.DB.prepare("SELECT id FROM images WHERE user_id = ?").bind(user.id).all();
    expect(rows.results).toEqual([{ id: imageIdOf(second.body.image_url) }]);
  });

  it("concurrent uploads leave exactly one object in R2: the user's current image", async () => {
    const user = await createUser({ username: unique("race") });
    const before = new Set((await env.IMAGES.list()).objects.map((o) => o.key));
    const results = await Promise.all([PNG, JPEG, GIF, WEBP, PNG, JPEG].map((bytes) => upload(user.id, form(bytes))));
    for (const r of results) expect(r.status).toBe(200);
    const current = (await call("GET", `/v1/users/${user.id}`, undefined, { schema: "User" })).body.image_url;
    const added = (await env.IMAGES.list()).objects.map((o) => o.key).filter((key) => !before.has(key));
    expect(added).toEqual([imageIdOf(current)]);
    const rows = await env.DB.prepare("SELECT id FROM images WHERE user_id = ?").bind(user.id).all();
    expect(rows.results).toEqual([{ id: imageIdOf(current) }]);
  });

  it("an upload racing a delete leaves no object without a row", async () => {
    const user = await createUser({ username: unique("racedel") });
    await upload(user.id, form(PNG));
    const before = new Set((await env.IMAGES.list()).objects.map((o) => o.key));
    await Promise.all([upload(user.id, form(JPEG)), call("DELETE", `/v1/users/${user.id}/profile_image`), upload(user.id, form(GIF))]);
    const rows = (await env.DB.prepare("SELECT id FROM images WHERE user_id = ?").bind(user.id).all<{ id: string }>()).results.map((r) => r.id);
    const keys = (await env.IMAGES.list()).objects.map((o) => o.key).filter((key) => !before.has(key) || rows.includes(key));
    expect(keys.sort()).toEqual(rows.sort());
  });

  it("answers 404 for an unknown user", async () => {
    expectError(await upload("user_missing", form(PNG)), 404, "resource_not_found");
  });

  it("uses PUBLIC_IMAGE_BASE_URL for image URLs when set", async () => {
    const vars = { PUBLIC_IMAGE_BASE_URL: "https://img.example.com/cdn/" };
    const user = await createUser({ username: unique("base"), first_name: "Ada" });
    const result = await upload(user.id, form(PNG), {}, vars);
    expect(result.body.image_url).toMatch(/^https:\/\/img\.example\.com\/cdn\/images\/img_/);
    const none = await call("DELETE", `/v1/users/${user.id}/profile_image`, undefined, { schema: "User", vars });
    expect(none.body.image_url).toBe("https://img.example.com/cdn/images/avatars/A.svg");
  });
});

describe("DELETE /v1/users/:id/profile_image", () => {
  it("clears the image, deletes the object, and falls back to the default avatar", async () => {
    const user = await createUser({ username: unique("del"), first_name: "Grace", last_name: "Hopper" });
    const uploaded = await upload(user.id, form(PNG));
    const result = await call("DELETE", `/v1/users/${user.id}/profile_image`, undefined, { schema: "User" });
    expect(result.status).toBe(200);
    expect(result.body.has_image).toBe(false);
    expect(result.body.image_url).toBe("https://api.test/images/avatars/GH.svg");
    expect(await env.IMAGES.head(imageIdOf(uploaded.body.image_url))).toBeNull();
    expectError(await call("DELETE", `/v1/users/${user.id}/profile_image`), 404, "image_not_found");
  });

  it("answers 404 image_not_found for a user who never had an image, and 404 for an unknown user", async () => {
    const user = await createUser({ username: unique("noimg") });
    const error = expectError(await call("DELETE", `/v1/users/${user.id}/profile_image`), 404, "image_not_found");
    expect(error.message).toBe("Image not found");
    expectError(await call("DELETE", "/v1/users/user_missing/profile_image"), 404, "resource_not_found");
  });

  it("deleting the user deletes the object", async () => {
    const user = await createUser({ username: unique("gone") });
    const uploaded = await upload(user.id, form(PNG));
    expect((await call("DELETE", `/v1/users/${user.id}`)).status).toBe(200);
    expect(await env.IMAGES.head(imageIdOf(uploaded.body.image_url))).toBeNull();
  });

  it("uploads racing the user's deletion leave no object behind", async () => {
    const user = await createUser({ username: unique("gonerace") });
    const before = new Set((await env.IMAGES.list()).objects.map((o) => o.key));
    const [first, , second] = await Promise.all([upload(user.id, form(PNG)), call("DELETE", `/v1/users/${user.id}`), upload(user.id, form(JPEG))]);
    for (const r of [first, second]) expect([200, 404]).toContain(r.status);
    expect((await env.IMAGES.list()).objects.map((o) => o.key).filter((key) => !before.has(key))).toEqual([]);
  });
});

describe("PATCH /v1/users/:id profile_image_id", () => {
  it("accepts only an image this user uploaded", async () => {
    const owner = await createUser({ username: unique("owner") });
    const other = await createUser({ username: unique("other") });
    const uploaded = await upload(owner.id, form(PNG));
    const id = imageIdOf(uploaded.body.image_url);
    expectError(await call("PATCH", `/v1/users/${other.id}`, { profile_image_id: id }), 422, "form_resource_not_found", "profile_image_id");
    const ok = await call("PATCH", `/v1/users/${owner.id}`, { profile_image_id: id }, { schema: "User" });
    expect(ok.body.image_url).toBe(uploaded.body.image_url);
  });
});

describe("GET /images/...", () => {
  it("answers 404 image_not_found for unknown and malformed ids, without auth", async () => {
    for (const id of ["img_000000000000000000000000000", "nope", "img_..%2F..%2Fsecret"]) {
      const { response } = await fetchImage(`${BASE}/images/${id}`);
      expect(response.status).toBe(404);
    }
    const body: any = await (await SELF.fetch(`${BASE}/images/img_000000000000000000000000000`)).json();
    expect(body.errors[0].code).toBe("image_not_found");
  });

  it("generates the default avatar SVG with the user's initials at a stable URL", async () => {
    const user = await createUser({ username: unique("avatar"), first_name: "ada", last_name: "lovelace" });
    expect(user.image_url).toBe("https://api.test/images/avatars/AL.svg");
    const { response, bytes } = await fetchImage(user.image_url);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("image/svg+xml");
    const svg = new TextDecoder().decode(bytes);
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    expect(svg).toContain(">AL</text>");
    const etag = response.headers.get("etag")!;
    expect(etag).toMatch(/^"[0-9a-f]{32}"$/);
    expect((await fetchImage(user.image_url)).response.headers.get("etag")).toBe(etag);
    expect((await fetchImage(user.image_url, { "If-None-Match": etag })).response.status).toBe(304);
  });

  it("renders Unicode initials and a nameless silhouette", async () => {
    const user = await createUser({ username: unique("unicode"), first_name: "émile", last_name: "Zoë" });
    expect(user.image_url).toBe(`https://api.test/images/avatars/${encodeURIComponent("ÉZ")}.svg`);
    expect(new TextDecoder().decode((await fetchImage(user.image_url)).bytes)).toContain(">ÉZ</text>");
    const nameless = await createUser({ username: unique("nameless") });
    expect(nameless.image_url).toBe("https://api.test/images/avatars/_.svg");
    const silhouette = await fetchImage(nameless.image_url);
    expect(silhouette.response.status).toBe(200);
    expect(new TextDecoder().decode(silhouette.bytes)).not.toContain("<text");
  });

  it("escapes text in the SVG and refuses what no user's initials could be", async () => {
    const { response, bytes } = await fetchImage(`${BASE}/images/avatars/${encodeURIComponent("<&")}.svg`);
    expect(response.status).toBe(200);
    const svg = new TextDecoder().decode(bytes);
    expect(svg).toContain(">&lt;&amp;</text>");
    expect(svg).not.toContain("<&");
    expect(response.headers.get("content-security-policy")).toContain("default-src 'none'");
    for (const bad of [encodeURIComponent("<script>alert(1)</script>"), "%E0%A4%A", encodeURIComponent("A\u0000"), encodeURIComponent("A B")]) {
      expect((await fetchImage(`${BASE}/images/avatars/${bad}.svg`)).response.status).toBe(404);
    }
  });
});
