/** Fresh, valid identifiers for tests (storage is per test file, so a per-file counter is unique). */
let phoneCounter = 0;

/** A new E.164 phone number. */
export function newPhone(): string {
  phoneCounter += 1;
  return `+4420${String(phoneCounter).padStart(8, "0")}`;
}

/** A new random EVM web3 wallet address (0x + 40 hex). */
export function newWallet(): string {
  return `0x${Array.from(crypto.getRandomValues(new Uint8Array(20)), (b) => b.toString(16).padStart(2, "0")).join("")}`;
}

/** A well-formed bcrypt digest at `cost` that matches no code or password (`i` varies its salt). */
export function digestAtCost(cost: number, i = 0): string {
  return `$2b$${String(cost).padStart(2, "0")}$${String(i).padStart(22, "a")}${"b".repeat(31)}`;
}
