/**
 * The import CLI's readers and writers (scripts/migrate/), in Node as the CLI runs them: the
 * RFC 4180 CSV reader, the streaming JSON-array and NDJSON readers, the mapping of Clerk's two
 * export formats to the user record of `POST /v1/users/import`, the dry run's local checks, the
 * report's CSV escaping and the progress lines. Fixtures: test/fixtures/migrate/.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { CsvError, CsvParser, csvRecord } from "../../scripts/migrate/csv.mjs";
import { InputError } from "../../scripts/migrate/errors.mjs";
import { countRecords, detectFormat, fileChunks, formatOfText, readUserRecords, type ReadRecord } from "../../scripts/migrate/formats.mjs";
import { JsonStreamError, parseNdjson } from "../../scripts/migrate/json-stream.mjs";
import { createProgress } from "../../scripts/migrate/progress.mjs";
import { createCsvMapper, splitList } from "../../scripts/migrate/records.mjs";
import { REPORT_HEADER, reportRow } from "../../scripts/migrate/report.mjs";
import { createRecordChecker } from "../../scripts/migrate/validate.mjs";

const FIXTURES = resolve(__dirname, "../fixtures/migrate");
const fixture = (name: string) => readFileSync(join(FIXTURES, name), "utf8");

const HEADER =
  "id,first_name,last_name,username,primary_email_address,primary_phone_number,verified_email_addresses,unverified_email_addresses,verified_phone_numbers,unverified_phone_numbers,totp_secret,password_digest,password_hasher";

/** The text in chunks of `size` characters, counting how many the reader has pulled. */
function chunked(text: string, size: number) {
  const source = { pulled: 0, total: Math.ceil(text.length / size) };
  const chunks = (function* () {
    for (let i = 0; i < text.length; i += size) {
      source.pulled++;
      yield text.slice(i, i + size);
    }
  })();
  return { chunks, source };
}

async function collect(records: AsyncIterable<ReadRecord>): Promise<ReadRecord[]> {
  const out: ReadRecord[] = [];
  for await (const record of records) out.push(record);
  return out;
}

function parseAll(text: string, size: number) {
  const parser = new CsvParser();
  const rows = [];
  for (let i = 0; i < text.length; i += size) rows.push(...parser.push(text.slice(i, i + size)));
  rows.push(...parser.end());
  return rows;
}

// The user records of test/fixtures/migrate/clerk-users.csv (a BOM, CRLF line ends, the
// second user's last name quoted across two lines).
const CSV_RECORDS: ReadRecord[] = [
  {
    line: 2,
    record: {
      id: "user_2ZoeAngstrom000000000000001",
      first_name: "Zoë",
      last_name: "Ångström",
      username: "zoe_angstrom",
      // The primary first and once, though the verified list (|-separated) repeats it.
      email_address: ["zoe@example.com", "zoe.work@example.com", "zoe.old@example.com"],
      email_address_identification_status: ["verified", "verified", "unverified"],
      phone_number: ["+14155550101"],
      totp_secret: "JBSWY3DPEHPK3PXP",
      password_digest: "$2b$04$g6R5rZ7vtQsfD8Hj0U3yCuq7AdgOajYVZ5ep8ebR2UaTHgyDxFqrG",
      password_hasher: "bcrypt",
    },
  },
  {
    line: 3,
    record: {
      id: "user_2AnaSilvaSantos000000000002",
      first_name: 'Ana, "Nana"',
      last_name: "Silva\r\nSantos",
      // A ,-separated list in a quoted cell; all verified, so no status list is sent.
      email_address: ["ana@example.com", "ana.silva@example.org"],
      // No primary phone: the first verified one (;-separated) leads.
      phone_number: ["+351912345678", "+351912345679", "+351912345670"],
      phone_number_identification_status: ["verified", "verified", "unverified"],
    },
  },
  {
    line: 5,
    record: { id: "user_2LiXiaolong0000000000000003", first_name: "小龙", last_name: "李", username: "xiaolong", email_address: ["li@example.com"] },
  },
  {
    line: 6,
    record: {
      id: "user_2EmileZola00000000000000004",
      first_name: "Émile",
      last_name: "Zola",
      // A primary in no list is verified; " ; " separators with spaces.
      email_address: ["emile@example.fr", "emile.z@example.fr", "emile.zola@example.fr"],
      email_address_identification_status: ["verified", "unverified", "unverified"],
    },
  },
];

describe("CSV reader (RFC 4180)", () => {
  it("reads the dashboard CSV fixture (BOM, CRLF, quoted commas, quotes and line breaks, non-ASCII) the same in chunks of any size", () => {
    const text = fixture("clerk-users.csv");
    expect(text.startsWith("\uFEFF")).toBe(true);
    expect(text).toContain("\r\n");
    const whole = parseAll(text, text.length);
    expect(whole.map((row) => row.line)).toEqual([1, 2, 3, 5, 6]);
    expect(whole[0].cells.join(",")).toBe(HEADER); // the BOM is not part of the first cell
    expect(whole[2].cells).toEqual([
      "user_2AnaSilvaSantos000000000002",
      'Ana, "Nana"',
      "Silva\r\nSantos",
      "",
      "ana@example.com",
      "",
      "ana@example.com,ana.silva@example.org",
      "",
      "+351912345678;+351912345679",
      "+351912345670",
      "",
      "",
      "",
    ]);
    expect(whole[3].cells.slice(0, 3)).toEqual(["user_2LiXiaolong0000000000000003", "小龙", "李"]);
    // Every split point: inside quotes, between "" and between CR and LF.
    for (const size of [1, 2, 3, 5, 7, 64]) expect(parseAll(text, size)).toEqual(whole);
  });

  it("ends records at LF, CR or CRLF, skips blank lines and keeps a last record without a line break", () => {
    expect(parseAll('a,b\n\nc,"d\ne"\r\r\nf,', 1)).toEqual([
      { cells: ["a", "b"], line: 1 },
      { cells: ["c", "d\ne"], line: 3 },
      { cells: ["f", ""], line: 6 },
    ]);
  });

  it("keeps a quote inside an unquoted cell as a character", () => {
    expect(parseAll('5" floppy,x\n', 3)).toEqual([{ cells: ['5" floppy', "x"], line: 1 }]);
  });

  it("refuses a quoted cell that never closes, naming the line it opened on", () => {
    const parser = new CsvParser();
    parser.push('id,name\nuser_1,"Ana\nSilva\n');
    expect(() => parser.end()).toThrow(CsvError);
    expect(() => new CsvParser().end()).not.toThrow();
    try {
      const p = new CsvParser();
      p.push('a\nb,"open');
      p.end();
      expect.unreachable();
    } catch (error) {
      expect((error as CsvError).line).toBe(2);
    }
  });

  it("refuses a record longer than its bound instead of holding the rest of the file", () => {
    const parser = new CsvParser({ maxRecordChars: 10 });
    expect(() => parser.push('a,"0123456789012')).toThrow(/longer than 10/);
  });
});

describe("Clerk dashboard CSV → user records", () => {
  it("maps every row of the fixture: list separators |, , and ;, the primary first and once, statuses, empty cells absent", async () => {
    const { chunks } = chunked(fixture("clerk-users.csv"), 5);
    const warnings: string[] = [];
    expect(await collect(readUserRecords(chunks, "csv", { onWarning: (w) => warnings.push(w) }))).toEqual(CSV_RECORDS);
    expect(warnings).toEqual([]);
  });

  it("splits list cells on |, , or ; and drops empty items", () => {
    expect(splitList(" a@x.io | b@x.io,c@x.io;;d@x.io ")).toEqual(["a@x.io", "b@x.io", "c@x.io", "d@x.io"]);
    expect(splitList("")).toEqual([]);
  });

  it("names columns it does not know once, and does not send them", async () => {
    const text = "id,first_name,created_at,Plan\nuser_1,Ana,2024-01-01,pro\nuser_2,Bo,2024-01-02,free\n";
    const warnings: string[] = [];
    const records = await collect(readUserRecords([text], "csv", { onWarning: (w) => warnings.push(w) }));
    expect(records).toEqual([
      { line: 2, record: { id: "user_1", first_name: "Ana" } },
      { line: 3, record: { id: "user_2", first_name: "Bo" } },
    ]);
    expect(warnings).toEqual(["column(s) not in Clerk's CSV export, not sent: created_at, Plan"]);
  });

  it("reports a row whose cell count differs from the header's, and goes on", async () => {
    const records = await collect(readUserRecords(["id,first_name\nuser_1\nuser_2,Bo,extra\nuser_3,Cy\n"], "csv"));
    expect(records).toEqual([
      { line: 2, error: { code: "request_body_invalid", message: "this row has 1 cells; the header has 2" } },
      { line: 3, error: { code: "request_body_invalid", message: "this row has 3 cells; the header has 2" } },
      { line: 4, record: { id: "user_3", first_name: "Cy" } },
    ]);
  });

  it("refuses a header with none of Clerk's columns, or one twice", () => {
    expect(() => createCsvMapper(["name", "mail"])).toThrow(InputError);
    expect(() => createCsvMapper(["id", "ID"])).toThrow(/twice/);
  });
});

describe("Clerk JSON export → user records", () => {
  const expected: ReadRecord[] = [
    {
      line: 2,
      record: {
        id: "user_2BjorkGudmundsdottir0000001",
        first_name: "Björk",
        last_name: "Guðmundsdóttir",
        email_address: ["bjork@example.is", "bjork@example.com"],
        phone_number: ["+3545551234"],
        password_digest: "$2a$05$Usro5.SYvcVV.hJNI8i9uO3sQPrbJCpg4WKRdoYXD3atPbSRMxR7W",
        password_hasher: "bcrypt",
        public_metadata: { plan: "pro", tags: ["a,b", "c]"] },
        private_metadata: {},
        unsafe_metadata: { note: 'has "quotes", [brackets] and {braces}' },
      },
    },
    {
      line: 17,
      record: {
        id: "user_2SeanOConnor000000000000002",
        first_name: "Seán",
        last_name: "O'Connor, Jr.",
        username: "sean.oconnor",
        email_address: ["sean@example.ie"],
        totp_secret: "JBSWY3DPEHPK3PXP",
      },
    },
    { line: 33, record: { id: "user_2MinimalUser000000000000003", email_address: ["minimal@example.com"] } },
  ];

  it("streams the array: the first user comes before the file is read to its end", async () => {
    const text = fixture("clerk-users.json");
    const { chunks, source } = chunked(text, 8);
    const records = readUserRecords(chunks, "json");
    const first = await records.next();
    expect(first.value).toEqual(expected[0]);
    // Read up to the comma after the first object, and not a chunk further.
    expect(source.pulled).toBe(Math.ceil((text.indexOf("\n  },\n") + 5) / 8));
    expect(source.pulled).toBeLessThan(source.total);
    const rest = await collect(records);
    expect(rest).toEqual(expected.slice(1));
    expect(source.pulled).toBe(source.total);
  });

  it("maps null and empty values to absent, and names each unknown key once", async () => {
    const warnings: string[] = [];
    const { chunks } = chunked(fixture("clerk-users.json"), 3);
    expect(await collect(readUserRecords(chunks, "json", { onWarning: (w) => warnings.push(w) }))).toEqual(expected);
    expect(warnings).toEqual([
      `key "last_sign_in_at" (first on line 2) is not in Clerk's JSON export, not sent`,
      `key "created_at" (first on line 17) is not in Clerk's JSON export, not sent`,
    ]);
  });

  it("reports an element that is not JSON or not an object by its line, and reads on", async () => {
    const text = '[\n{"id":"user_1"},\n{"id": user_2},\n42,\n{"id":"user_3","email_addresses":"a@x.io|A@X.io|b@x.io"}\n]';
    expect(await collect(readUserRecords(chunked(text, 4).chunks, "json"))).toEqual([
      { line: 2, record: { id: "user_1" } },
      { line: 3, error: { code: "request_body_invalid", message: "is not valid JSON" } },
      { line: 4, error: { code: "request_body_invalid", message: "is not a JSON object" } },
      // The same address twice (as the server compares them) is sent once.
      { line: 5, record: { id: "user_3", email_address: ["a@x.io", "b@x.io"] } },
    ]);
  });

  it("stops on a cut-off or malformed array, naming the line", async () => {
    await expect(collect(readUserRecords(['[{"id":"user_1"},\n{"id":"us'], "json"))).rejects.toThrow(JsonStreamError);
    await expect(collect(readUserRecords(['{"id":"user_1"}'], "json"))).rejects.toThrow(/expected a JSON array/);
    await expect(collect(readUserRecords(['[{"id":"user_1"},]'], "json"))).rejects.toThrow(/missing/);
    await expect(collect(readUserRecords(['[{"id":"user_1"}] trailing'], "json"))).rejects.toThrow(/after the end/);
  });
});

describe("NDJSON (the export's format)", () => {
  it("passes each line's record through unchanged, with its line number", async () => {
    const text = fixture("users.ndjson");
    const lines = text.trim().split("\n");
    const records = await collect(readUserRecords(chunked(text, 16).chunks, "ndjson"));
    expect(records).toEqual(lines.map((line, i) => ({ line: i + 1, record: JSON.parse(line) })));
    expect(records[0]).toMatchObject({ record: { email_address_identification_status: ["verified", "unverified"] } });
  });

  it("skips blank lines, accepts CRLF and a last line without a break, and reports a bad line without stopping", async () => {
    const text = '{"id":"user_1"}\r\n\n{"id":\n[1]\n{"id":"user_2"}';
    expect(await collect(readUserRecords(chunked(text, 5).chunks, "ndjson"))).toEqual([
      { line: 1, record: { id: "user_1" } },
      { line: 3, error: { code: "request_body_invalid", message: "is not valid JSON" } },
      { line: 4, error: { code: "request_body_invalid", message: "is not a JSON object" } },
      { line: 5, record: { id: "user_2" } },
    ]);
  });

  it("never quotes the bad line back (it may hold a digest)", async () => {
    const out = [];
    for await (const item of parseNdjson(['{"password_digest":"$2b$10$secretsecret"\n'])) out.push(item);
    expect(JSON.stringify(out)).not.toContain("secret");
  });
});

describe("format detection", () => {
  it("goes by extension, and by the first character for .json and unknown names", async () => {
    expect(await detectFormat(join(FIXTURES, "clerk-users.csv"))).toBe("csv");
    expect(await detectFormat(join(FIXTURES, "clerk-users.json"))).toBe("json");
    expect(await detectFormat(join(FIXTURES, "users.ndjson"))).toBe("ndjson");
    expect(formatOfText('\uFEFF\n  [{"id":1}]')).toBe("json");
    expect(formatOfText('{"id":"user_1"}\n')).toBe("ndjson");
    expect(formatOfText("\uFEFFid,first_name\r\n")).toBe("csv");
  });
});

describe("counting a file's records (the pass before sending)", () => {
  it("counts what the reader yields, bad records included, and refuses what the reader refuses", async () => {
    for (const [name, format] of [
      ["clerk-users.csv", "csv"],
      ["bad-users.csv", "csv"],
      ["clerk-users.json", "json"],
      ["users.ndjson", "ndjson"],
    ] as const) {
      const path = join(FIXTURES, name);
      const read = await collect(readUserRecords(fileChunks(path), format));
      expect(read.length).toBeGreaterThan(0);
      expect(await countRecords(path, format)).toBe(read.length);
    }
    const dir = mkdtempSync(join(tmpdir(), "count-records-"));
    try {
      const broken = join(dir, "broken.csv");
      writeFileSync(broken, `${HEADER}\r\nuser_1,"Ada\r\n`);
      await expect(countRecords(broken, "csv")).rejects.toBeInstanceOf(CsvError);
      const foreign = join(dir, "foreign.csv");
      writeFileSync(foreign, "name,mail\r\nAda,ada@example.com\r\n");
      await expect(countRecords(foreign, "csv")).rejects.toThrow(/none of the columns of Clerk's export/);
      const empty = join(dir, "empty.csv");
      writeFileSync(empty, "");
      await expect(countRecords(empty, "csv")).rejects.toThrow(/empty/);
      const cut = join(dir, "cut.json");
      writeFileSync(cut, '[{"id":"user_1"},{"id":');
      await expect(countRecords(cut, "json")).rejects.toBeInstanceOf(JsonStreamError);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("dry-run checks (no server)", () => {
  const codes = (problems: { code: string }[]) => problems.map((p) => p.code);

  it("accepts every record of the three fixtures", async () => {
    for (const [name, format] of [
      ["clerk-users.csv", "csv"],
      ["clerk-users.json", "json"],
      ["users.ndjson", "ndjson"],
    ] as const) {
      const checker = createRecordChecker();
      for (const item of await collect(readUserRecords([fixture(name)], format))) {
        expect("record" in item && checker.check(item.record, item.line), `${name} line ${item.line}`).toEqual([]);
      }
    }
  });

  it("finds bad ids, formats, types, unknown fields, unpaired credentials and mismatched parallel lists", () => {
    const check = (record: unknown) => codes(createRecordChecker().check(record, 1));
    expect(check({ id: "usr_1" })).toEqual(["form_param_format_invalid"]);
    expect(check({ id: `user_${"a".repeat(65)}` })).toEqual(["form_param_format_invalid"]);
    expect(check({ email_address: ["not-an-email"] })).toEqual(["form_param_format_invalid"]);
    expect(check({ phone_number: ["0155 555"] })).toEqual(["form_param_format_invalid"]);
    expect(check({ username: "ab" })).toEqual(["form_username_invalid_length"]);
    expect(check({ email_address: "a@x.io" })).toEqual(["form_param_type_invalid"]);
    expect(check({ email_address: null })).toEqual(["form_param_nil"]);
    expect(check({ public_metadata: [] })).toEqual(["form_param_value_invalid"]);
    expect(check({ nickname: "x" })).toEqual(["form_param_unknown"]);
    expect(check({ password_digest: "$2b$…" })).toEqual(["form_param_missing"]);
    expect(check({ password_hasher: "bcrypt" })).toEqual(["form_param_missing"]);
    expect(check({ backup_codes: ["a"], backup_code_digests: ["b"] })).toEqual(["form_param_value_invalid"]);
    expect(check({ email_address: ["a@x.io"], email_address_identification_status: ["verified", "reserved"] })).toEqual([
      "form_param_array_length_mismatch",
    ]);
    expect(check({ email_address: ["a@x.io"], email_address_identification_status: ["pending"] })).toEqual(["form_param_value_invalid"]);
    expect(check({ phone_number: ["+14155550101"], phone_number_ids: ["idn_1", "idn_2"] })).toEqual(["form_param_array_length_mismatch"]);
    expect(check({ email_address: ["a@x.io"], email_address_ids: ["user_1"] })).toEqual(["form_param_format_invalid"]);
    expect(check([])).toEqual(["request_body_invalid"]);
    // "unverified" is the import's third status; an empty status list means all verified.
    expect(check({ email_address: ["a@x.io", "b@x.io"], email_address_identification_status: ["verified", "unverified"] })).toEqual([]);
    expect(check({ email_address: ["a@x.io"], email_address_identification_status: [] })).toEqual([]);
  });

  it("finds identifiers repeated within the file, compared as the server compares them", () => {
    const checker = createRecordChecker();
    expect(checker.check({ id: "user_1", email_address: ["Ana@Example.com"], username: "ｅｘａｍｐｌｅ" }, 2)).toEqual([]);
    const again = checker.check({ id: "user_2", email_address: ["ana@example.COM"] }, 3);
    expect(again).toEqual([{ code: "form_identifier_exists", message: "email_address: that email address is also on line 2." }]);
    expect(codes(checker.check({ id: "user_3", username: "Example" }, 4))).toEqual(["form_identifier_exists"]); // NFKC + case
    expect(codes(checker.check({ id: "user_1" }, 5))).toEqual(["form_identifier_exists"]);
    expect(codes(checker.check({ id: "user_6", email_address: ["b@x.io", "B@x.io"] }, 6))).toEqual(["form_identifier_exists"]);
  });
});

describe("report CSV", () => {
  it("escapes commas, quotes and line breaks (RFC 4180) so every row reads back as written", () => {
    const rows = [
      { line: 3, id: "user_1", code: "form_identifier_exists", message: 'That email address is taken. Please try another. (email_address), "again"' },
      { line: 12, id: null, code: "request_body_invalid", message: "first\r\nsecond" },
      { line: 40, id: "user_ünïcode", code: "x", message: "plain" },
    ];
    const text = csvRecord(REPORT_HEADER) + rows.map(reportRow).join("");
    expect(text).toBe(
      "line,id,code,message\r\n" +
        '3,user_1,form_identifier_exists,"That email address is taken. Please try another. (email_address), ""again"""\r\n' +
        '12,,request_body_invalid,"first\r\nsecond"\r\n' +
        "40,user_ünïcode,x,plain\r\n",
    );
    expect(parseAll(text, 3).map((row) => row.cells)).toEqual([
      ["line", "id", "code", "message"],
      ...rows.map((row) => [String(row.line), row.id ?? "", row.code, row.message]),
    ]);
  });
});

describe("progress display", () => {
  it("prints one line per tenth when not on a terminal, with done/total, users/s, ETA and failures", () => {
    let clock = 0;
    const lines: string[] = [];
    const progress = createProgress({
      stream: { write: (t: string) => lines.push(t) },
      isTTY: false,
      total: 1000,
      now: () => clock,
      label: "import",
    });
    for (let i = 0; i < 40; i++) {
      clock += 250;
      progress.add(25, i === 0 ? 2 : 0);
    }
    progress.finish();
    expect(lines).toHaveLength(10);
    expect(lines[0]).toBe("import: 10%, 100/1,000 users, 100 users/s, ETA 9s, 2 failed\n");
    expect(lines[4]).toBe("import: 50%, 500/1,000 users, 100 users/s, ETA 5s, 2 failed\n");
    expect(lines[9]).toBe("import: 100%, 1,000/1,000 users, 100 users/s, ETA 0s, 2 failed\n");
  });

  it("without a total, prints every 10,000 users and a last line", () => {
    let clock = 0;
    const lines: string[] = [];
    const progress = createProgress({ stream: { write: (t: string) => lines.push(t) }, isTTY: false, now: () => clock, label: "export" });
    for (let i = 0; i < 25; i++) {
      clock += 1000;
      progress.add(1000);
    }
    progress.finish();
    expect(lines).toEqual([
      "export: 10,000 users, 1,000 users/s\n",
      "export: 20,000 users, 1,000 users/s\n",
      "export: 25,000 users, 1,000 users/s\n",
    ]);
  });

  it("redraws one line in place on a terminal, at most ten times a second", () => {
    let clock = 0;
    const writes: string[] = [];
    const progress = createProgress({ stream: { write: (t: string) => writes.push(t) }, isTTY: true, total: 200, now: () => clock, label: "import" });
    for (let i = 0; i < 20; i++) {
      clock += 50;
      progress.add(10);
    }
    progress.finish();
    expect(writes.length).toBe(12); // every other add (100 ms apart), the final redraw and its line break
    expect(writes[0]).toBe("\rimport: [#-----------------------]   5%, 10/200 users, 200 users/s, ETA 1s, 0 failed\x1b[K");
    expect(writes.at(-2)).toBe("\rimport: [########################] 100%, 200/200 users, 200 users/s, ETA 0s, 0 failed\x1b[K");
    expect(writes.at(-1)).toBe("\n");
  });
});
