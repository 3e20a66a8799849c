// The shape of one SQLite schema migration.
export interface Migration {
  /** Strictly increasing, starting at 1. */
  readonly version: number;
  readonly name: string;
  /** SQL statements run in one transaction. */
  readonly sql: string;
}
