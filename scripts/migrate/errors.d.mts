// Types for errors.mjs (plain JS so that Node runs it without a TS loader).
export declare class InputError extends Error {
  constructor(message: string, line?: number);
  line: number | undefined;
}
