/** The shape of the one source of derived SQL objects (see index.ts). */

export type ObjectKind = "table" | "index" | "view" | "virtual table" | "trigger";

export interface DerivedObject {
  kind: ObjectKind;
  name: string;
  /** The CREATE statement, without IF NOT EXISTS and without the final semicolon. */
  sql: string;
  /**
   * Statements that give a newly created table its fixed rows (idempotent: INSERT OR IGNORE). A
   * table whose definition changes is dropped and re-created, so it holds the seed's rows again.
   */
  seed?: string[];
}

/** Objects that keep one kind of derived data, and how to recompute that data from scratch. */
export interface DerivedGroup {
  name: string;
  /** One line on what the group keeps (a comment in the generated SQL). */
  title: string;
  /** In creation order: a view after the views it reads. */
  objects: DerivedObject[];
  /**
   * Statements that recompute all of the group's data from the tables it is derived from. They
   * run with the triggers of every group being refilled dropped, so they neither fire those
   * triggers nor depend on them.
   */
  refill: string[];
  /** Groups whose data this group's is computed from: refilling one of them refills this one. */
  after?: string[];
}

export const trigger = (name: string, sql: string): DerivedObject => ({ kind: "trigger", name, sql });
export const view = (name: string, sql: string): DerivedObject => ({ kind: "view", name, sql });
