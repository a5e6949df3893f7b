/**
 * `npm run import` and `npm run export` against a small node:http server in this file that plays
 * `POST /v1/users/import`, `GET /v1/users/count` and `GET /v1/users/export` by the contract of
 * issue 15 (the real routes are tested in the Worker's suite; the CLI's own behaviour — waiting
 * on 429, retrying, splitting, reporting, exit statuses, a broken stream — is what is tested
 * here). The commands run in-process with an injected clock and sleep, so a Retry-After is
 * obeyed without waiting for it; the dry run runs as a child process, as a user runs it.
 */
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer, type IncomingHttpHeaders, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createApiClient } from "../../scripts/migrate/http-client.mjs";
import { DEFAULT_URL, parseCommandLine } from "../../scripts/migrate/options.mjs";
import { runExport } from "../../scripts/migrate/run-export.mjs";
import { type CliIo, runImport } from "../../scripts/migrate/run-import.mjs";

const ROOT = resolve(__dirname, "../..");
const FIXTURES = join(ROOT, "test/fixtures/migrate");
const CSV = join(FIXTURES, "clerk-users.csv");
const KEY = "sk_test_cli";
const CSV_IDS = [
  "user_2ZoeAngstrom000000000000001",
  "user_2AnaSilvaSantos000000000002",
  "user_2LiXiaolong0000000000000003",
  "user_2EmileZola00000000000000004",
];

interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

type Handler = (request: Seen, response: ServerResponse, seen: Seen[]) => void | Promise<void>;

let handler: Handler = () => {
  throw new Error("no handler");
};
let seen: Seen[] = [];
let baseUrl = "";
const server = createServer((req, res) => {
  const parts: Buffer[] = [];
  req.on("data", (part: Buffer) => parts.push(part));
  req.on("end", () => {
    const request = { method: req.method ?? "", url: req.url ?? "", headers: req.headers, body: Buffer.concat(parts).toString("utf8") };
    seen.push(request);
    Promise.resolve(handler(request, res, seen)).catch((error) => {
      res.statusCode = 599;
      res.end(String(error));
    });
  });
});

let work: string;
beforeAll(async () => {
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  work = mkdtempSync(join(tmpdir(), "migrate-cli-"));
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((done) => server.close(done));
  rmSync(work, { recursive: true, force: true });
});
afterEach(() => {
  seen = [];
});

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { "Content-Type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}

const clerkError = (code: string, message: string, paramName?: string) => ({
  message,
  long_message: message,
  code,
  ...(paramName ? { meta: { param_name: paramName } } : {}),
});

/** The import endpoint's 200: every user created, unless `statusOf` says otherwise. */
function importOk(res: ServerResponse, body: string, statusOf: (user: any, index: number) => object = () => ({ status: "created" })) {
  const users: any[] = JSON.parse(body).users;
  json(res, 200, { object: "user_import", results: users.map((user, index) => ({ index, id: user.id ?? null, ...statusOf(user, index) })) });
}

/** An io for the in-process commands: captured output, a fake clock that sleeps advance. */
function fakeIo(extra: Partial<CliIo> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const sleeps: number[] = [];
  let clock = 1_000_000;
  const io: CliIo = {
    stdout: { write: (text: string) => out.push(text) },
    stderr: { write: (text: string) => err.push(text) },
    isTTY: false,
    now: () => clock,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      clock += ms;
    },
    devVarsPath: join(work ?? tmpdir(), "no-such-dev-vars"),
    ...extra,
  };
  return { io, out, err, sleeps, stdout: () => out.join(""), stderr: () => err.join("") };
}

const importArgs = (...extra: string[]) => ["--file", CSV, "--url", baseUrl, "--key", KEY, ...extra];

describe("npm run import against a server that plays the import endpoint", () => {
  it("sends the file's users in one batch with the key, and exits 0 when all are created", async () => {
    handler = (req, res) => importOk(res, req.body);
    const run = fakeIo();
    expect(await runImport(importArgs(), run.io)).toBe(0);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ method: "POST", url: "/v1/users/import" });
    expect(seen[0].headers.authorization).toBe(`Bearer ${KEY}`);
    expect(seen[0].headers["content-type"]).toBe("application/json");
    expect(JSON.parse(seen[0].body).users.map((user: any) => user.id)).toEqual(CSV_IDS);
    expect(run.stdout()).toContain("clerk-users.csv: 4 created, 0 already there, 0 failed (4 of 4 users");
    expect(run.stderr()).toMatch(/^import: 100%, 4\/4 users, .* users\/s, ETA 0s, 0 failed\n$/);
  });

  it("on 429 waits as long as Retry-After says, then sends the same batch again", async () => {
    handler = (req, res, all) => {
      if (all.length === 1) {
        json(res, 429, { errors: [clerkError("too_many_requests", "Too many requests")] }, { "Retry-After": "3" });
      } else importOk(res, req.body);
    };
    const run = fakeIo();
    expect(await runImport(importArgs(), run.io)).toBe(0);
    expect(run.sleeps).toEqual([3000]);
    expect(seen).toHaveLength(2);
    expect(seen[1].body).toBe(seen[0].body);
    expect(run.stdout()).toContain("4 created, 0 already there, 0 failed");
    expect(run.stdout()).toContain("The server's import budget made the import wait 1 time(s), 3s in all.");
  });

  it("on 429 waits the exact Retry-After-Ms when the server sends it, not the whole seconds of Retry-After", async () => {
    handler = (req, res, all) => {
      if (all.length === 1) {
        json(res, 429, { errors: [clerkError("too_many_requests", "Too many requests")] }, { "Retry-After": "1", "Retry-After-Ms": "140" });
      } else if (all.length === 2) {
        // Unreadable: fall back to Retry-After.
        json(res, 429, { errors: [clerkError("too_many_requests", "Too many requests")] }, { "Retry-After": "2", "Retry-After-Ms": "soon" });
      } else importOk(res, req.body);
    };
    const run = fakeIo();
    expect(await runImport(importArgs(), run.io)).toBe(0);
    expect(run.sleeps).toEqual([140, 2000]);
    expect(seen).toHaveLength(3);
    expect(seen[2].body).toBe(seen[0].body);
  });

  it("on a 429 whose X-RateLimit-Remaining admits part of the batch, sends that part at once and the rest after", async () => {
    handler = (req, res, all) => {
      if (all.length === 1) {
        json(res, 429, { errors: [clerkError("too_many_requests", "Too many requests")] }, { "Retry-After": "1", "X-RateLimit-Remaining": "3" });
      } else importOk(res, req.body);
    };
    const run = fakeIo();
    expect(await runImport(importArgs(), run.io)).toBe(0);
    expect(run.sleeps).toEqual([]);
    expect(seen.map((request) => JSON.parse(request.body).users.map((user: any) => user.id))).toEqual([
      CSV_IDS,
      CSV_IDS.slice(0, 3),
      CSV_IDS.slice(3),
    ]);
    expect(run.stdout()).toContain("4 created, 0 already there, 0 failed");
  });

  it("retries a 5xx and a dropped connection with growing delays, then succeeds", async () => {
    handler = (req, res, all) => {
      if (all.length === 1) json(res, 500, { errors: [clerkError("internal_clerk_error", "Oops")] });
      else if (all.length === 2) res.socket?.destroy();
      else if (all.length === 3) json(res, 503, { errors: [clerkError("service_unavailable", "busy")] }, { "Retry-After": "4" });
      else importOk(res, req.body);
    };
    const run = fakeIo();
    expect(await runImport(importArgs(), run.io)).toBe(0);
    expect(run.sleeps).toEqual([500, 1000, 4000]); // 500 ms doubling; a 503's longer Retry-After wins
    expect(seen).toHaveLength(4);
    expect(new Set(seen.map((s) => s.body)).size).toBe(1);
    expect(run.stderr()).toContain("retrying in 1s after 500 internal_clerk_error");
    expect(run.stderr()).toContain("retrying in 4s after 503 service_unavailable");
  });

  it("a batch that keeps failing with 5xx fails its users, and the run goes on", async () => {
    handler = (req, res) => {
      const users = JSON.parse(req.body).users;
      if (users[0].id === CSV_IDS[0]) json(res, 500, { errors: [clerkError("internal_clerk_error", "Oops, an unexpected error occurred")] });
      else importOk(res, req.body);
    };
    const run = fakeIo();
    const report = join(work, "5xx-report.csv");
    expect(await runImport(importArgs("--batch", "2", "--concurrency", "1", "--report", report), run.io)).toBe(1);
    expect(run.sleeps).toEqual([500, 1000, 2000, 4000, 8000]);
    expect(readFileSync(report, "utf8")).toBe(
      "line,id,code,message\r\n" +
        `2,${CSV_IDS[0]},internal_clerk_error,"Oops, an unexpected error occurred"\r\n` +
        `3,${CSV_IDS[1]},internal_clerk_error,"Oops, an unexpected error occurred"\r\n`,
    );
    expect(run.stdout()).toContain("2 created, 0 already there, 2 failed");
  });

  it("writes each failed user to --report with its input line, and exits 1", async () => {
    handler = (req, res) =>
      importOk(res, req.body, (_user, index) =>
        index === 0
          ? { status: "created" }
          : index === 1
            ? { status: "exists" }
            : index === 2
              ? { status: "failed", errors: [clerkError("form_identifier_exists", 'That email address is taken, "really".', "email_address")] }
              : {
                  status: "failed",
                  errors: [
                    clerkError("form_param_format_invalid", "email_address must be a valid email address.", "email_address"),
                    clerkError("form_username_invalid_length", "Username must be between 4 and 64 characters long.", "username"),
                  ],
                },
      );
    const run = fakeIo();
    const report = join(work, "report.csv");
    expect(await runImport(importArgs("--report", report), run.io)).toBe(1);
    expect(readFileSync(report, "utf8")).toBe(
      "line,id,code,message\r\n" +
        `5,${CSV_IDS[2]},form_identifier_exists,"That email address is taken, ""really"". (email_address)"\r\n` +
        `6,${CSV_IDS[3]},form_param_format_invalid,email_address must be a valid email address.; Username must be between 4 and 64 characters long. (username)\r\n`,
    );
    expect(run.stdout()).toContain("1 created, 1 already there, 2 failed");
    expect(run.stdout()).toContain(`Failed users are listed in ${report} (line,id,code,message).`);
    expect(run.stderr()).toContain(`  line 5 (${CSV_IDS[2]}): form_identifier_exists: That email address is taken, "really". (email_address)\n`);
    expect(run.stderr()).toContain("import: 100%, 4/4 users, ");
    expect(run.stderr()).toContain(", 2 failed\n");
  });

  it("reports users the file itself cannot give (a bad row) without sending them, and sends the rest", async () => {
    const file = join(work, "one-bad-row.csv");
    writeFileSync(file, "id,first_name\nuser_1,Ana\nuser_2,Bo,extra\nuser_3,Cy\n");
    handler = (req, res) => importOk(res, req.body);
    const run = fakeIo();
    const report = join(work, "bad-row-report.csv");
    expect(await runImport(["--file", file, "--url", baseUrl, "--key", KEY, "--report", report], run.io)).toBe(1);
    expect(JSON.parse(seen[0].body).users).toEqual([
      { id: "user_1", first_name: "Ana" },
      { id: "user_3", first_name: "Cy" },
    ]);
    expect(readFileSync(report, "utf8")).toBe("line,id,code,message\r\n3,,request_body_invalid,this row has 3 cells; the header has 2\r\n");
  });

  it("stops before sending anything when the file's structure breaks further down (a quote never closed), exit 2", async () => {
    const file = join(work, "broken-late.csv");
    writeFileSync(file, `id,first_name\n${Array.from({ length: 30 }, (_, i) => `user_${i},N${i}\n`).join("")}user_x,"never closed\n`);
    handler = (req, res) => importOk(res, req.body);
    const run = fakeIo();
    expect(await runImport(["--file", file, "--url", baseUrl, "--key", KEY, "--batch", "5"], run.io)).toBe(2);
    expect(seen).toHaveLength(0);
    expect(run.stderr()).toBe("import: line 32: a quoted cell is never closed\n");
  });

  it("sends at most --concurrency batches at once, each at most --batch users, all in file order", async () => {
    const file = join(work, "25-users.ndjson");
    const users = Array.from({ length: 25 }, (_, i) => ({ id: `user_c${i}`, email_address: [`c${i}@example.com`] }));
    writeFileSync(file, users.map((user) => `${JSON.stringify(user)}\n`).join(""));
    // Requests are answered only when two are waiting (or the last has come): a client that
    // sent fewer at once would hang here, one that sent more would show in maxPending.
    const pending: (() => void)[] = [];
    let maxPending = 0;
    handler = (req, res, all) => {
      pending.push(() => importOk(res, req.body));
      maxPending = Math.max(maxPending, pending.length);
      if (pending.length === 2 || all.length === 9) for (const answer of pending.splice(0)) answer();
    };
    const run = fakeIo();
    expect(await runImport(["--file", file, "--url", baseUrl, "--key", KEY, "--batch", "3", "--concurrency", "2"], run.io)).toBe(0);
    expect(maxPending).toBe(2);
    const batches = seen.map((s) => JSON.parse(s.body).users);
    expect(batches.map((b) => b.length)).toEqual([3, 3, 3, 3, 3, 3, 3, 3, 1]);
    expect(batches.flat().sort((a: any, b: any) => Number(a.id.slice(6)) - Number(b.id.slice(6)))).toEqual(users);
    // A line per tenth passed (batches of 3 of 25 users skip some tenths).
    const lines = run.stderr().trim().split("\n");
    expect(lines.at(-1)).toMatch(/^import: 100%, 25\/25 users, /);
    expect(lines).toHaveLength(9); // done 3, 6, … 24, 25 of 25: tenths 1, 2, 3, 4, 6, 7, 8, 9, 10
  });

  it("once the import budget has made it wait (429), sends one batch at a time", async () => {
    const file = join(work, "16-users.ndjson");
    const users = Array.from({ length: 16 }, (_, i) => ({ id: `user_n${i}`, email_address: [`n${i}@example.com`] }));
    writeFileSync(file, users.map((user) => `${JSON.stringify(user)}\n`).join(""));
    let pending = 0;
    const pendingAtArrival: number[] = [];
    handler = (req, res, all) => {
      pending++;
      pendingAtArrival.push(pending);
      if (all.length === 1) {
        pending--;
        json(res, 429, { errors: [clerkError("too_many_requests", "Too many requests")] }, { "Retry-After": "1", "Retry-After-Ms": "1" });
        return;
      }
      // Each answer is held a little, so a client with free slots sends more meanwhile.
      setTimeout(() => {
        pending--;
        importOk(res, req.body);
      }, 20);
    };
    const run = fakeIo();
    expect(await runImport(["--file", file, "--url", baseUrl, "--key", KEY, "--batch", "1", "--concurrency", "4"], run.io)).toBe(0);
    expect(seen).toHaveLength(17); // 16 batches and the one refused, sent again
    // Before the 429 the client had several in flight (so the held answers would show more)…
    expect(Math.max(...pendingAtArrival.slice(0, 4))).toBeGreaterThan(1);
    // …and once those in flight have finished, one at a time.
    expect(pendingAtArrival.slice(-10)).toEqual(Array(10).fill(1));
    expect(run.stdout()).toMatch(/made the import wait 1 time\(s\)/);
  });

  it("splits a batch the server finds too large (413) and keeps each result on its user", async () => {
    handler = (req, res) => {
      const users = JSON.parse(req.body).users;
      if (users.length > 2) json(res, 413, { errors: [clerkError("request_body_too_large", "The request body exceeds the maximum allowed size.")] });
      else
        importOk(res, req.body, (user) =>
          user.id === CSV_IDS[3] ? { status: "failed", errors: [clerkError("form_identifier_exists", "taken")] } : { status: "created" },
        );
    };
    const run = fakeIo();
    const report = join(work, "413-report.csv");
    expect(await runImport(importArgs("--report", report), run.io)).toBe(1);
    expect(seen.map((s) => JSON.parse(s.body).users.length)).toEqual([4, 2, 2]);
    expect(readFileSync(report, "utf8")).toBe(`line,id,code,message\r\n6,${CSV_IDS[3]},form_identifier_exists,taken\r\n`);
  });

  it("splits batches larger than the server's whole import budget (422 form_param_array_size_exceeded on users)", async () => {
    handler = (req, res) => {
      if (JSON.parse(req.body).users.length > 1) {
        json(res, 422, { errors: [clerkError("form_param_array_size_exceeded", "users should not exceed 1 items.", "users")] });
      } else importOk(res, req.body);
    };
    const run = fakeIo();
    expect(await runImport(importArgs(), run.io)).toBe(0);
    expect(seen.map((s) => JSON.parse(s.body).users.length)).toEqual([4, 2, 1, 1, 2, 1, 1]);
    expect(run.stdout()).toContain("4 created, 0 already there, 0 failed");
  });

  it("a batch refused whole for another reason fails each of its users with the server's error", async () => {
    handler = (_req, res) => json(res, 422, { errors: [clerkError("form_param_unknown", "users is not a valid parameter.", "users")] });
    const run = fakeIo();
    const report = join(work, "422-report.csv");
    expect(await runImport(importArgs("--report", report), run.io)).toBe(1);
    expect(seen).toHaveLength(1);
    expect(readFileSync(report, "utf8").split("\r\n").slice(1, -1)).toEqual(
      [2, 3, 5, 6].map((line, i) => `${line},${CSV_IDS[i]},form_param_unknown,users is not a valid parameter.`),
    );
  });

  it("a refused key stops the run at once with exit status 2", async () => {
    handler = (_req, res) => json(res, 401, { errors: [clerkError("clerk_key_invalid", "The provided Clerk Secret Key is invalid.")] });
    const run = fakeIo();
    expect(await runImport(importArgs("--batch", "1", "--concurrency", "1"), run.io)).toBe(2);
    expect(seen).toHaveLength(1);
    expect(run.stdout()).toContain("Stopped: POST /v1/users/import: 401 clerk_key_invalid: The provided Clerk Secret Key is invalid. (check --key");
    expect(run.stdout()).toContain('4 users were not sent. Running the same command again is safe: users already imported answer "exists".');
  });

  it("refuses bad options with the usage and exit status 2, sending nothing", async () => {
    for (const args of [["--batch", "501"], ["--batch", "0"], ["--concurrency", "x"], ["--format", "xml"], ["--bogus"]]) {
      const run = fakeIo();
      expect(await runImport(importArgs(...args), run.io), args.join(" ")).toBe(2);
      expect(run.stderr()).toContain("Usage: npm run import");
    }
    const run = fakeIo();
    expect(await runImport(["--file", CSV, "--url", baseUrl], run.io)).toBe(2);
    expect(run.stderr()).toContain("no API key: pass --key, or put CLERK_SECRET_KEY in .dev.vars");
    expect(seen).toHaveLength(0);
  });

  it("takes --url and --key defaults from http://127.0.0.1:8787 and the first key of CLERK_SECRET_KEY in .dev.vars", () => {
    const devVars = join(work, ".dev.vars");
    writeFileSync(devVars, '# local secrets\nCREDENTIALS_ENCRYPTION_KEY=abc=\nCLERK_SECRET_KEY="sk_test_first,sk_test_rotated"\n');
    expect(parseCommandLine(["--file", "x.csv"], {}, { devVarsPath: devVars })).toMatchObject({ url: DEFAULT_URL, key: "sk_test_first" });
    expect(parseCommandLine(["--key", "sk_x", "--url", "http://h:1/"], {}, { devVarsPath: devVars })).toMatchObject({
      url: "http://h:1",
      key: "sk_x",
    });
    expect(DEFAULT_URL).toBe("http://127.0.0.1:8787");
  });
});

describe("the client's shared pause after a 429", () => {
  it("holds back a batch sent while another waits out a Retry-After, until the wait is over", async () => {
    // Time moves only when the test says; fetch is a stand-in for the server here, so the order
    // of calls is exact.
    let clock = 0;
    const sleepers: { ms: number; wake: () => void }[] = [];
    const sent: string[] = [];
    const client = createApiClient({
      url: "http://api.test",
      key: KEY,
      now: () => clock,
      sleep: (ms) => new Promise<void>((wake) => sleepers.push({ ms, wake })),
      fetch: (async (_url: string, init: RequestInit) => {
        const users = JSON.parse(String(init.body)).users;
        sent.push(users[0].id);
        if (sent.length === 1) return new Response("{}", { status: 429, headers: { "Retry-After": "5" } });
        const results = users.map((user: any, index: number) => ({ index, id: user.id, status: "created" }));
        return new Response(JSON.stringify({ object: "user_import", results }), { status: 200 });
      }) as typeof fetch,
    });
    const settle = async (done: () => boolean) => {
      for (let i = 0; i < 100 && !done(); i++) await new Promise((next) => setImmediate(next));
      expect(done()).toBe(true);
    };
    const a = client.importUsers([{ id: "user_a" }]);
    await settle(() => sleepers.length === 1);
    const c = client.importUsers([{ id: "user_c" }]);
    await settle(() => sleepers.length === 2);
    expect(sleepers.map((s) => s.ms)).toEqual([5000, 5000]);
    expect(sent).toEqual(["user_a"]); // user_c has not been sent
    clock += 5000;
    for (const s of sleepers.splice(0)) s.wake();
    expect((await a).map((r) => r.status)).toEqual(["created"]);
    expect((await c).map((r) => r.status)).toEqual(["created"]);
    expect([...sent].sort()).toEqual(["user_a", "user_a", "user_c"]);
  });
});

describe("npm run import -- --dry-run (child process)", () => {
  const cli = (args: string[]) =>
    new Promise<{ status: number | null; stdout: string; stderr: string }>((done) => {
      execFile(process.execPath, [join(ROOT, "scripts/import.mjs"), ...args], { cwd: ROOT }, (error, stdout, stderr) =>
        done({ status: error ? ((error as { code?: number }).code ?? null) : 0, stdout, stderr }),
      );
    });

  it("checks the whole file locally, lists each user that would fail, exits 1, and sends nothing", async () => {
    handler = (_req, res) => json(res, 500, {});
    const report = join(work, "dry-run-report.csv");
    const result = await cli(["--dry-run", "--file", join(FIXTURES, "bad-users.csv"), "--url", baseUrl, "--report", report]);
    expect(result.status).toBe(1);
    expect(seen).toHaveLength(0);
    expect(result.stdout).toBe(
      [
        "Dry run of bad-users.csv (Clerk dashboard CSV): 7 users read.",
        `The import would send 6 users to ${baseUrl}/v1/users/import in 1 request(s) of up to 500, 4 at a time.`,
        `6 user(s) would fail (listed in ${report}); the others pass every check that needs no server.`,
        "Nothing was sent.",
        "",
      ].join("\n"),
    );
    expect(readFileSync(report, "utf8")).toBe(
      [
        "line,id,code,message",
        '3,usr_bad,form_param_format_invalid,"id must be a user id: ""user_"" followed by 1 to 64 letters or digits."',
        "4,user_2BadEmail0001,form_param_format_invalid,email_address must be a valid email address.",
        "5,user_2DupEmail0001,form_identifier_exists,email_address: that email address is also on line 2.",
        "6,user_2NoHasher0001,form_param_missing,password_hasher must be included.",
        "7,,request_body_invalid,this row has 3 cells; the header has 13",
        '8,user_2GoodUser000000000000000001,form_identifier_exists,"id: that id is also on line 2. The import keeps the first and answers `exists` for this one, whose data is not imported."',
        "",
      ].join("\r\n"),
    );
    expect(result.stderr).toContain("  line 4 (user_2BadEmail0001): form_param_format_invalid: email_address must be a valid email address.\n");
    // The digest of line 6 is never printed.
    expect(result.stderr + result.stdout).not.toContain("$2b$04$");
  });

  it("exits 0 for a clean file, and needs no key", async () => {
    const result = await cli(["--dry-run", "--file", join(FIXTURES, "clerk-users.json"), "--url", baseUrl, "--batch", "2"]);
    expect(result.status).toBe(0);
    expect(seen).toHaveLength(0);
    expect(result.stdout).toContain("Dry run of clerk-users.json (Clerk JSON export): 3 users read.");
    expect(result.stdout).toContain("in 2 request(s) of up to 2, 4 at a time.");
    expect(result.stderr).toContain(`warning: key "last_sign_in_at" (first on line 2) is not in Clerk's JSON export, not sent`);
  });
});

describe("npm run export against a server that plays the export endpoint", () => {
  const LINES = [
    { id: "user_e1", email_address: ["e1@example.com"], first_name: "Ünïcode" },
    { id: "user_e2", email_address: ["e2@example.com"], password_digest: "$2b$04$x", password_hasher: "bcrypt" },
    { id: "user_e3", username: "third_user" },
  ].map((user) => `${JSON.stringify(user)}\n`);

  /** Serves the count and the export; `stream` writes the export's body. */
  function exportServer(stream: (res: ServerResponse) => void) {
    handler = (req, res) => {
      if (req.url.startsWith("/v1/users/count")) return json(res, 200, { object: "total_count", total_count: 3 });
      res.writeHead(200, { "Content-Type": "application/x-ndjson" });
      stream(res);
    };
  }

  it("writes the stream to the file byte for byte, with progress, and asks for credentials when told", async () => {
    exportServer((res) => {
      // Lines cut across writes, a multi-byte character included.
      const body = Buffer.from(LINES.join(""));
      let at = 0;
      const next = () => {
        if (at >= body.length) return res.end();
        res.write(body.subarray(at, at + 13), next);
        at += 13;
      };
      next();
    });
    const file = join(work, "export.ndjson");
    const run = fakeIo();
    expect(await runExport(["--file", file, "--url", baseUrl, "--key", KEY, "--include-credentials"], run.io)).toBe(0);
    expect(readFileSync(file, "utf8")).toBe(LINES.join(""));
    expect(existsSync(`${file}.partial`)).toBe(false);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(seen.map((s) => s.url)).toEqual(["/v1/users/count", "/v1/users/export?include_credentials=true"]);
    expect(seen[1].headers.authorization).toBe(`Bearer ${KEY}`);
    expect(run.stderr()).toMatch(/export: 100%, 3\/3 users, .*\n$/);
    expect(run.stdout()).toContain("Exported 3 users to export.ndjson in ");
    expect(run.stdout()).toContain("with credentials: keep the file secret");
  });

  it("a connection cut mid-line exits 1, keeps the complete lines in <file>.partial, and writes no <file>", async () => {
    const file = join(work, "cut.ndjson");
    const run = fakeIo();
    exportServer(async (res) => {
      res.write(LINES[0] + LINES[1] + LINES[2].slice(0, 10));
      // Cut the connection once the client has the two whole lines (its progress says so): a
      // cut sooner could take bytes still in flight with it.
      while (!run.stderr().includes("2/3 users")) await new Promise((next) => setImmediate(next));
      res.socket?.destroy();
    });
    expect(await runExport(["--file", file, "--url", baseUrl, "--key", KEY], run.io)).toBe(1);
    expect(existsSync(file)).toBe(false);
    expect(readFileSync(`${file}.partial`, "utf8")).toBe(LINES[0] + LINES[1]); // whole lines only: importable as it is
    expect(run.stdout()).toContain("The export stream broke after 2 complete users");
    expect(run.stdout()).toContain(`Those users are in ${file}.partial; ${file} was not written. Run the export again.`);
  });

  it("a stream that ends in the middle of a line, or carries an error, is broken too", async () => {
    exportServer((res) => res.end(LINES[0] + LINES[1].slice(0, 12)));
    const run = fakeIo();
    expect(await runExport(["--file", join(work, "half.ndjson"), "--url", baseUrl, "--key", KEY], run.io)).toBe(1);
    expect(run.stdout()).toContain("broke after 1 complete users: the stream ended in the middle of a line.");

    exportServer((res) => res.end(`${LINES[0]}${JSON.stringify({ errors: [clerkError("internal_clerk_error", "Oops")] })}\n`));
    const again = fakeIo();
    expect(await runExport(["--file", join(work, "error.ndjson"), "--url", baseUrl, "--key", KEY], again.io)).toBe(1);
    expect(again.stdout()).toContain("broke after 1 complete users: the server reported an error on line 2: internal_clerk_error: Oops.");
    expect(readFileSync(join(work, "error.ndjson.partial"), "utf8")).toBe(LINES[0]);
  });

  it("a refusal (403 without EXPORT_CREDENTIALS) exits 2 with the server's message and writes nothing", async () => {
    handler = (req, res) => {
      if (req.url.startsWith("/v1/users/count")) return json(res, 200, { object: "total_count", total_count: 3 });
      json(res, 403, { errors: [clerkError("export_credentials_disabled", "Credentials are not exported unless EXPORT_CREDENTIALS=true.")] });
    };
    const file = join(work, "refused.ndjson");
    const run = fakeIo();
    expect(await runExport(["--file", file, "--url", baseUrl, "--key", KEY, "--include-credentials"], run.io)).toBe(2);
    expect(run.stderr()).toContain("403 export_credentials_disabled: Credentials are not exported unless EXPORT_CREDENTIALS=true.");
    expect(existsSync(file) || existsSync(`${file}.partial`)).toBe(false);
  });
});
