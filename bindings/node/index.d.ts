/** The absolute path of the roomcode module this package carries for the running platform. */
export declare function getLoadablePath(): string;

/** A database that can load an extension: better-sqlite3's Database or node:sqlite's DatabaseSync. */
export interface LoadableDatabase {
  loadExtension(file: string, entryPoint?: string): unknown;
  enableLoadExtension?(allow: boolean): void;
}

/**
 * Loads roomcode into db. For node:sqlite, open the database with { allowExtension: true }:
 * loading is enabled for this call and disabled again after it.
 */
export declare function load(db: LoadableDatabase): void;
