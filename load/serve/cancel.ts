// Stopping an analyst's query in the engine once nobody waits for its answer. chDB cannot interrupt a
// call in flight (its docs: an abort only rejects early), so a slow query whose caller has left would
// keep its libuv thread, and its engine slot, until the time limit; and a process shutting down would
// wait for it before it can exit. The engine's own KILL QUERY does stop it (tried on chDB 26.7: a
// sleeping query cancelled within a second), found by a marker only this query carries.
import crypto from 'node:crypto'
import { Session } from 'chdb'

/** A marker for one query, set as its log_comment (system.processes shows it under Settings). */
export function newQueryMarker(): string {
  return `polyhouse-serve:${crypto.randomUUID()}`
}

/**
 * When `signal` aborts, KILL the query carrying `marker`, if it still runs. ASYNC: KILL … SYNC waits
 * on the query and did not return in chDB 26.7. Best effort: a query already finished is not found.
 */
export function killOnAbort(dataDir: string, marker: string, signal: AbortSignal): void {
  const kill = () => {
    const session = new Session(dataDir)
    session
      .queryAsync(`KILL QUERY WHERE Settings['log_comment'] = '${marker}' ASYNC`, { format: 'TSV' })
      .catch(() => undefined)
      .finally(() => session.close())
  }
  if (signal.aborted) kill()
  else signal.addEventListener('abort', kill, { once: true })
}
