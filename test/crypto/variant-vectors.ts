/**
 * Digest format variants the shared vectors do not cover: $2y$ bcrypt,
 * a pepper containing `$`, pbkdf2_sha1 with a raw salt and an explicit key length, PBKDF2 above
 * WebCrypto's iteration limit (Django 5's 1,000,000), Symfony with an empty salt, werkzeug with
 * the leading `$` and p=2, argon2 v=16 and node-argon2's `m,p,t` parameter order, and more.
 *
 * Produced once on the host by `node test/crypto/variant-vectors.gen.mjs` (run from the repository
 * root so it finds the devDependencies): Node's OpenSSL crypto for PBKDF2, scrypt, SHA and MD5,
 * the `bcrypt` C library and the `argon2` reference library. The salts are random, so a re-run
 * gives other (equally valid) digests. The $2y$ digest is a $2b$ digest with its prefix renamed:
 * the two name the same algorithm (PHP's crypt_blowfish writes $2y$), and the C library refuses
 * to write $2y$ itself.
 */
import type { DigestVector } from "./vectors";

export const VARIANT_DIGEST_VECTORS: DigestVector[] = [
  {
    password_hasher: "bcrypt",
    password: "Variant pässwörd $ 42",
    password_digest: "$2y$05$lkH.G6IOB/6SB4PvRGtQkull7q2Vg0L1x.hm54kl9D3ewVTwyP1wK",
    note: "$2y$ (PHP password_hash)",
  },
  {
    password_hasher: "bcrypt_peppered",
    password: "Variant pässwörd $ 42",
    password_digest: "$2b$05$JN.3XSahR3Ve.3SrztEqvuOJ8cXOVXlv26qNrYXRwbmyAWJlN1EKG$pep$per/with$dollars",
    note: "pepper containing $",
  },
  {
    password_hasher: "pbkdf2_sha1",
    password: "Variant pässwörd $ 42",
    password_digest: "pbkdf2_sha1$1000$rawSALTxyz$020366cbb7fd6b1b868da6181456fed14c872cc8$20",
    note: "raw salt with explicit key length 20",
  },
  {
    password_hasher: "pbkdf2_sha1",
    password: "Variant pässwörd $ 42",
    password_digest: "pbkdf2_sha1$1000$abc$93963559e4a2c78976d880fed9a3b72d0eeca7cd0bb7a6b87060badfa99056c8",
    note: "odd-length hex-looking salt used as raw bytes",
  },
  {
    password_hasher: "pbkdf2_sha1",
    password: "Variant pässwörd $ 42",
    password_digest:
      "pbkdf2_sha1$1000$00ff10$ea22f03cd4e8072819bea85f41dd2ea66c56bfc98f08037db1fa8e9f1e90bade3050aa2db06c9fe8d862d5d53b39e861acf2693a3ab40b4b26920b1a32da5c83$64",
    note: "hex salt, key length 64 (longer than SHA-1)",
  },
  {
    password_hasher: "pbkdf2_sha256_django",
    password: "Variant pässwörd $ 42",
    password_digest: "pbkdf2_sha256$1000000$Zs8HqYdM2zqKDhC6pVkm1N$yLslG/ElWls1iuutidTvaIWVtRaJc7psMJS+uqOC//A=",
    note: "Django 5 default: 1,000,000 iterations",
  },
  {
    password_hasher: "pbkdf2_sha512",
    password: "Variant pässwörd $ 42",
    password_digest:
      "pbkdf2_sha512$210000$literalSalt$264a6281aed00d712ce73809815887c11a55fad718883a7872ee29f601d970c8d6515b4eebcdb5e8ffb90a48cd18199e1f80e65f9880adc947ebec1fcef5f8db",
    note: "210,000 iterations (above WebCrypto's limit)",
  },
  {
    password_hasher: "sha512_symfony",
    password: "Variant pässwörd $ 42",
    password_digest: "sha512_symfony$1$$H3j1F984O0dX+lOXLUvOEkygvBNRf0UuDm6Vsclyox9hynGNl0zPiw61MR6BpDgDUqkEtFVfjvxS58FteQgH5Q==",
    note: "empty salt, one iteration",
  },
  {
    password_hasher: "sha512_symfony",
    password: "Variant pässwörd $ 42",
    password_digest: "sha512_symfony$3$s@lt{x}$5CeWNEpl1Dxd5wLLfgjeGFii1y6b984cNbOD5zDHthntUyG0ufTnv42TnUJy4P8DIUdOIebzYDlKw3eDGrf+gg==",
    note: "three iterations, braces in the salt",
  },
  {
    password_hasher: "ldap_ssha",
    password: "Variant pässwörd $ 42",
    password_digest: "{SSHA}gzqQf2un/s1S/yx1dtwsPzuXIfMx/y+pjXtOuKoDwom2uTq9",
    note: "16-byte salt",
  },
  {
    password_hasher: "md5",
    password: "Variant pässwörd $ 42",
    password_digest: "524157E4E1DAD3AD6EF8754DDDE7ABF6",
    note: "upper-case hex",
  },
  {
    password_hasher: "scrypt_werkzeug",
    password: "Variant pässwörd $ 42",
    password_digest:
      "$scrypt:16384:8:2$wkSalt$d6f1c41f4a3f022e938ea980b188ceb56701cffc92db787a0ab4b5e76e0af2028ee4739428f83cf238ebd73175e5ddfe8ff6b258bcfcd238312ab528875ffef2",
    note: "leading $ as the contract writes it, p=2",
  },
  {
    password_hasher: "argon2id",
    password: "Variant pässwörd $ 42",
    password_digest: "$argon2id$v=16$m=4096,p=2,t=2$R4SYSWYuAlL0zKavOD4VjQ$y8elrYd5JwO2jK/WBQa/Aw2L45llO945WmN9teU05Ec",
    note: "version 16 (v=16)",
  },
  {
    password_hasher: "argon2i",
    password: "Variant pässwörd $ 42",
    password_digest: "$argon2i$v=19$m=4096,p=1,t=2$cb1JnAEcWH7h5PjWslEYSA$Gy+BtrdQYPnXUWbFVCKNJjotLuhEdl2ldovPJXV/rC4",
    note: "node-argon2's parameter order m,p,t",
  },
];
