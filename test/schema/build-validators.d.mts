export declare const SCHEMA_NAMES: string[];
export declare function buildValidators(): string;
