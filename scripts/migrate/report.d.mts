// Types for report.mjs (plain JS so that Node runs it without a TS loader).
export interface ReportRow {
  line: number;
  id?: string | null;
  code: string;
  message: string;
}
export declare const REPORT_HEADER: string[];
export declare function reportRow(row: ReportRow): string;
export declare function createReportWriter(path: string): Promise<{ add(row: ReportRow): void; close(): Promise<void> }>;
