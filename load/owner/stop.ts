// Stopping the process that holds an embedded warehouse (`polyhouse stop`): SIGTERM, which every
// long polyhouse command answers by committing what is in flight and exiting 130; then wait; past
// the timeout, SIGKILL. SIGKILL is safe by the checkpoint protocol (nothing is recorded done before
// the warehouse acknowledged it), so the next run resumes; it is only slower to come back.
import { WarehouseError } from '../../core/errors.ts'
import { lockHolder } from '../warehouse.ts'
import {
  inspectOwner,
  isRecordedProcess,
  type OwnerRecord,
  type OwnerState,
  readOwnerRecord,
} from './record.ts'

/** How long `stop` waits after SIGTERM: well above the ≤ 5 s a stop takes, for a slow disk's last commit. */
export const DEFAULT_STOP_TIMEOUT_MS = 30_000
/** After SIGKILL the system ends a process at once; a process still there after this is stuck in the kernel. */
const KILL_WAIT_MS = 5_000
/** How often the process is looked for while waiting: a tenth of a second is instant to a person. */
const POLL_MS = 100

export type StopOutcome =
  /** Nothing held the directory; `owner` says what the record knows of the last holder. */
  | { kind: 'nothing'; owner: OwnerState }
  /** It exited on SIGTERM; `exitCode` when it lived to record one. */
  | { kind: 'stopped'; record: OwnerRecord; afterMs: number; exitCode?: number; signalled: boolean }
  /** It outlived the timeout and was killed. */
  | { kind: 'killed'; record: OwnerRecord; afterMs: number }
  /** Still there after SIGKILL (stuck in the kernel, e.g. on a dead disk). */
  | { kind: 'unkillable'; record: OwnerRecord; afterMs: number }
  /** `stop` itself was interrupted while waiting; the process goes on stopping. */
  | { kind: 'interrupted'; record: OwnerRecord; afterMs: number }

export interface StopEvents {
  /** SIGTERM sent (or not: the process was already stopping). */
  onSignalled?: (record: OwnerRecord, sent: boolean) => void
  /** The timeout passed; SIGKILL sent. */
  onKill?: (record: OwnerRecord, afterMs: number) => void
}

export async function stopOwner(
  dataDir: string,
  options: { timeoutMs: number; signal?: AbortSignal } & StopEvents,
): Promise<StopOutcome> {
  const owner = inspectOwner(dataDir, lockHolder(dataDir))
  if (owner.state === 'foreign') {
    throw new WarehouseError(
      `pid ${owner.holderPid} holds ${dataDir} but left no polyhouse process record (not polyhouse, or a polyhouse older than this one)`,
      {
        hint: `check what it is (ps -p ${owner.holderPid} -o args) and stop it with kill ${owner.holderPid}`,
      },
    )
  }
  if (owner.state !== 'running' && owner.state !== 'stopping') return { kind: 'nothing', owner }
  const { record } = owner
  const started = Date.now()
  // Already stopping (a SIGTERM before this, or its launcher died): a second signal would make it
  // exit at once instead of committing what is in flight, so only wait.
  const sent = owner.state === 'running'
  if (sent) {
    signal(record, 'SIGTERM')
    // A process suspended with Ctrl-Z holds the directory too: SIGCONT lets it act on the SIGTERM.
    signal(record, 'SIGCONT')
  }
  options.onSignalled?.(record, sent)
  if (await gone(record, options.timeoutMs, options.signal)) {
    const after = readOwnerRecord(dataDir)
    const exitCode =
      after?.pid === record.pid && after.processStartedAt === record.processStartedAt
        ? after.exitCode
        : undefined
    return {
      kind: 'stopped',
      record,
      afterMs: Date.now() - started,
      signalled: sent,
      ...(exitCode === undefined ? {} : { exitCode }),
    }
  }
  if (options.signal?.aborted) return { kind: 'interrupted', record, afterMs: Date.now() - started }
  options.onKill?.(record, Date.now() - started)
  signal(record, 'SIGKILL')
  const killed = await gone(record, KILL_WAIT_MS)
  return { kind: killed ? 'killed' : 'unkillable', record, afterMs: Date.now() - started }
}

/** Signals the recorded process, unless its pid has meanwhile gone to another process. */
function signal(record: OwnerRecord, name: NodeJS.Signals): void {
  if (!isRecordedProcess(record)) return
  try {
    process.kill(record.pid, name)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ESRCH') return // it ended between the check and the signal
    throw new WarehouseError(`cannot signal pid ${record.pid} (${code}): it is not this user's process`, {
      hint: `run polyhouse stop as the user running it (ps -o user= -p ${record.pid})`,
      cause: error,
    })
  }
}

/** Waits up to `ms` for the recorded process to end; false when it is still there (or `abort` fired). */
async function gone(record: OwnerRecord, ms: number, abort?: AbortSignal): Promise<boolean> {
  const deadline = Date.now() + ms
  for (;;) {
    if (!isRecordedProcess(record)) return true
    if (Date.now() >= deadline || abort?.aborted) return false
    await new Promise((resolve) => setTimeout(resolve, Math.min(POLL_MS, deadline - Date.now())))
  }
}
