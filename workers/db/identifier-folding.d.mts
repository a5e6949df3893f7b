// Types for identifier-folding.mjs (plain JS so that Node runs it without a TS loader).
export declare function foldEmail(value: string): string;
export declare function foldUsername(value: string): string;
