// Generates test/crypto/variant-vectors.ts' digests (see that file). Run from the repository root.
import crypto from "node:crypto";
import bcrypt from "bcrypt";
import argon2 from "argon2";
const pw = "Variant pässwörd $ 42";
const out = [];
const add = (password_hasher, password_digest, note) => out.push({ password_hasher, password, password_digest, note });
const password = pw;
// bcrypt $2y$: node bcrypt
const y = bcrypt.hashSync(pw, 5).replace(/^\$2b\$/, "$2y$");
add("bcrypt", y, "$2y$ (PHP password_hash)");
const pepper = "pep$per/with$dollars";
add("bcrypt_peppered", `${bcrypt.hashSync(pw + pepper, 5)}$${pepper}`, "pepper containing $");
add(
  "pbkdf2_sha1",
  `pbkdf2_sha1$1000$rawSALTxyz$${crypto.pbkdf2Sync(pw, "rawSALTxyz", 1000, 20, "sha1").toString("hex")}$20`,
  "raw salt with explicit key length 20",
);
add(
  "pbkdf2_sha1",
  `pbkdf2_sha1$1000$abc$${crypto.pbkdf2Sync(pw, "abc", 1000, 32, "sha1").toString("hex")}`,
  "odd-length hex-looking salt used as raw bytes",
);
add(
  "pbkdf2_sha1",
  `pbkdf2_sha1$1000$00ff10$${crypto.pbkdf2Sync(pw, Buffer.from("00ff10", "hex"), 1000, 64, "sha1").toString("hex")}$64`,
  "hex salt, key length 64 (longer than SHA-1)",
);
add(
  "pbkdf2_sha256_django",
  `pbkdf2_sha256$1000000$Zs8HqYdM2zqKDhC6pVkm1N$${crypto.pbkdf2Sync(pw, "Zs8HqYdM2zqKDhC6pVkm1N", 1000000, 32, "sha256").toString("base64")}`,
  "Django 5 default: 1,000,000 iterations",
);
add(
  "pbkdf2_sha512",
  `pbkdf2_sha512$210000$literalSalt$${crypto.pbkdf2Sync(pw, "literalSalt", 210000, 64, "sha512").toString("hex")}`,
  "210,000 iterations (above WebCrypto's limit)",
);
add("sha512_symfony", `sha512_symfony$1$$${crypto.createHash("sha512").update(pw).digest("base64")}`, "empty salt, one iteration");
{
  const salt = "s@lt{x}";
  const salted = Buffer.from(`${pw}{${salt}}`);
  let d = crypto.createHash("sha512").update(salted).digest();
  for (let i = 1; i < 3; i++)
    d = crypto
      .createHash("sha512")
      .update(Buffer.concat([d, salted]))
      .digest();
  add("sha512_symfony", `sha512_symfony$3$${salt}$${d.toString("base64")}`, "three iterations, braces in the salt");
}
{
  const salt = crypto.randomBytes(16);
  add("ldap_ssha", `{SSHA}${Buffer.concat([crypto.createHash("sha1").update(pw).update(salt).digest(), salt]).toString("base64")}`, "16-byte salt");
}
add("md5", crypto.createHash("md5").update(pw).digest("hex").toUpperCase(), "upper-case hex");
add(
  "scrypt_werkzeug",
  `$scrypt:16384:8:2$wkSalt$${crypto.scryptSync(pw, "wkSalt", 64, { N: 16384, r: 8, p: 2, maxmem: 64 * 1024 * 1024 }).toString("hex")}`,
  "leading $ as the contract writes it, p=2",
);
add(
  "argon2id",
  await argon2.hash(pw, { type: argon2.argon2id, memoryCost: 4096, timeCost: 2, parallelism: 2, version: 0x10, salt: crypto.randomBytes(16) }),
  "version 16 (v=16)",
);
add("argon2i", await argon2.hash(pw, { type: argon2.argon2i, memoryCost: 4096, timeCost: 2, parallelism: 1 }), "node-argon2's parameter order m,p,t");
console.log(JSON.stringify(out, null, 2));
