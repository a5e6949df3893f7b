/**
 * The slice of workerd's built-in `node:crypto` (nodejs_compat) that the hashers use. Declared
 * here because the project compiles without @types/node.
 */
declare module "node:crypto" {
  type KdfInput = string | ArrayBufferView;
  type KdfCallback = (error: Error | null, derivedKey: ArrayBufferView) => void;
  export function scrypt(
    password: KdfInput,
    salt: KdfInput,
    keylen: number,
    options: { N: number; r: number; p: number; maxmem?: number },
    callback: KdfCallback,
  ): void;
  export function pbkdf2(password: KdfInput, salt: KdfInput, iterations: number, keylen: number, digest: string, callback: KdfCallback): void;
}
