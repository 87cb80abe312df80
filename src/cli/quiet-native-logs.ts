/**
 * Imported first by every entry point: LanceDB's native code reads LANCEDB_LOG when it loads and otherwise
 * prints its own warnings (e.g. "No existing dataset ... will be created") into the user's terminal.
 * ES modules evaluate in import order, so setting it here happens before LanceDB loads.
 */
process.env.LANCEDB_LOG ??= "error";
