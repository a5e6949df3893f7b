// Types for identifier-formats.mjs (plain JS so that Node runs it without a TS loader).
export declare const EMAIL_RE: RegExp;
export declare const EMAIL_MAX_LENGTH: number;
export declare const E164_RE: RegExp;
export declare const EVM_WALLET_RE: RegExp;
export declare const SOLANA_WALLET_RE: RegExp;
export declare const USERNAME_CHARS_RE: RegExp;
export declare const USERNAME_MIN: number;
export declare const USERNAME_MAX: number;
export declare const IMPORTED_USER_ID_RE: RegExp;
export declare const IMPORTED_IDENTIFICATION_ID_RE: RegExp;
