// Prepared statements kept per connection: compiling the same SQL on every call costs more than
// running it (better-sqlite3's prepare() parses and plans each time), and the session lookup runs
// on every proxied request.
import type Database from 'better-sqlite3';

export type Prepare = <Params extends unknown[] | object = unknown[], Row = unknown>(sql: string) => Database.Statement<Params, Row>;

export function cachedPrepare(db: Database.Database): Prepare {
  const statements = new Map<string, Database.Statement<unknown[], unknown>>();
  return <Params extends unknown[] | object = unknown[], Row = unknown>(sql: string) => {
    let statement = statements.get(sql);
    if (statement === undefined) {
      statement = db.prepare(sql);
      statements.set(sql, statement);
    }
    return statement as unknown as Database.Statement<Params, Row>;
  };
}
