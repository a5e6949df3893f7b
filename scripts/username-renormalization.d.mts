// Types for username-renormalization.mjs (plain JS so that Node runs it without a TS loader).
export declare const CANDIDATES_SQL: string;
export interface CandidateRow {
  id: string;
  username: string;
  username_normalized: string | null;
}
export interface StaleUsername {
  id: string;
  username: string;
  from: string | null;
  to: string;
}
export declare function planUsernameRenormalization(rows: CandidateRow[]): { stale: StaleUsername[]; statements: string[] };
export declare function holdersSql(folds: string[]): string;
