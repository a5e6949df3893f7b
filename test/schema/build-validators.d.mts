export declare const SCHEMA_NAMES: string[];
export declare function buildValidators(): string;
export declare const WEBHOOK_EVENT_TYPES: string[];
