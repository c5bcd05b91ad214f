// The owner record: a file in an embedded data directory naming the polyhouse process that holds it
// (pid, command line, since when) and, once it ends, how (its exit code). chDB's own lock file says
// only a pid, and a pid outlives nothing: a process killed with SIGKILL leaves it behind, and the
// system may give the number to another program. The record carries the process's start time too,
// so a reader tells the process that wrote it from a later one with the same pid.
//
// Written whole (temporary file, then rename) so a reader never sees half of one; only the process
// holding the directory writes it, and a process that has let the directory go writes its exit code
// only while no other process holds it.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { z } from 'zod'
import { processAlive, processInfo } from '../../core/process-info.ts'
import { redactArguments } from '../../core/redact.ts'

export const OWNER_RECORD_FILE = 'polyhouse-process.json'

const ownerRecordSchema = z.object({
  pid: z.number().int().positive(),
  host: z.string(),
  /** When the process started (not when it opened the warehouse): what tells it from a reused pid. */
  processStartedAt: z.string(),
  openedAt: z.string(),
  /** argv after the program, secrets redacted as in etl_runs. */
  args: z.array(z.string()),
  /** open: holds the directory; stopping: holds it, asked to stop; closed: let it go; exited: gone. */
  state: z.enum(['open', 'stopping', 'closed', 'exited']),
  stopSignal: z.string().optional(),
  stoppingSince: z.string().optional(),
  closedAt: z.string().optional(),
  exitCode: z.number().int().optional(),
  exitedAt: z.string().optional(),
})

export type OwnerRecord = z.infer<typeof ownerRecordSchema>

/**
 * What a directory's record and lock say together:
 * - none: no process holds it and none ever recorded holding it;
 * - running / stopping: the process in the record holds it (stopping: it was asked to stop);
 * - stale: the record says a process holds it, and that process is gone (killed before it could
 *   close: `kill -9`, a crash, the machine) — or its pid now names another, younger process;
 * - ended: the last process closed it (and `exitCode` says how it ended, when it got that far);
 * - foreign: a process holds it without a record (not polyhouse, or a polyhouse older than records).
 */
export type OwnerState =
  | { state: 'none' }
  | { state: 'running' | 'stopping' | 'stale' | 'ended'; record: OwnerRecord }
  | { state: 'foreign'; holderPid: number }

export function ownerRecordPath(dataDir: string): string {
  return path.join(dataDir, OWNER_RECORD_FILE)
}

export function readOwnerRecord(dataDir: string): OwnerRecord | undefined {
  let raw: unknown
  try {
    raw = JSON.parse(fs.readFileSync(ownerRecordPath(dataDir), 'utf8'))
  } catch {
    return undefined
  }
  const parsed = ownerRecordSchema.safeParse(raw)
  return parsed.success ? parsed.data : undefined
}

/**
 * The state of `dataDir`, given the pid holding its lock now (load/warehouse.ts's lockHolder; passed
 * in because warehouse.ts writes records through this module).
 */
export function inspectOwner(dataDir: string, holderPid: number | undefined): OwnerState {
  const record = readOwnerRecord(dataDir)
  if (record === undefined || record.state === 'closed' || record.state === 'exited') {
    if (holderPid !== undefined && holderPid !== record?.pid) return { state: 'foreign', holderPid }
    return record ? { state: 'ended', record } : { state: 'none' }
  }
  if (!isRecordedProcess(record)) return { state: 'stale', record }
  return { state: record.state === 'stopping' ? 'stopping' : 'running', record }
}

/** Whether the process the record names still runs: its pid alive, and started when it says. */
export function isRecordedProcess(record: OwnerRecord): boolean {
  if (record.host !== os.hostname()) return false
  const info = processInfo(record.pid)
  // Without /proc or ps there is no start time to compare: a live pid is all there is to go on.
  if (!info) return processAlive(record.pid)
  if (info.exited) return false
  // The record's start time was read the same way, so the two differ by the reading's precision at
  // most (twice it: each was rounded); a process started later with the same pid differs by more.
  return Math.abs(info.startedAtMs - Date.parse(record.processStartedAt)) <= 2 * info.startPrecisionMs
}

/** The command line a record names, as the user typed it (secrets redacted). */
export function recordedCommand(record: OwnerRecord): string {
  return ['polyhouse', ...record.args].join(' ')
}

// ——— this process's own records ———

/** Directories this process holds now, and every one it held (its exit code goes to those). */
const held = new Set<string>()
const touched = new Map<string, OwnerRecord>()
let exitHandlerInstalled = false

/** This process holds `dataDir` now (chDB took its lock): say so in the record. */
export function recordOpened(dataDir: string): void {
  const now = new Date().toISOString()
  const record: OwnerRecord = {
    pid: process.pid,
    host: os.hostname(),
    processStartedAt: new Date(
      processInfo(process.pid)?.startedAtMs ?? Date.now() - process.uptime() * 1000,
    ).toISOString(),
    openedAt: now,
    args: redactArguments(process.argv.slice(2)),
    state: 'open',
  }
  held.add(dataDir)
  update(dataDir, record)
  if (!exitHandlerInstalled) {
    exitHandlerInstalled = true
    process.on('exit', recordExit)
  }
}

/** This process lets `dataDir` go (before chDB releases its lock, so no other holder can be overwritten). */
export function recordClosed(dataDir: string): void {
  const record = touched.get(dataDir)
  if (!record || !held.delete(dataDir)) return
  update(dataDir, { ...record, state: 'closed', closedAt: new Date().toISOString() })
}

/** This process was asked to stop (SIGINT/SIGTERM, or its launcher died): said in every record it holds. */
export function recordStopping(signal: string): void {
  for (const dataDir of held) {
    const record = touched.get(dataDir) as OwnerRecord
    if (record.state === 'stopping') continue
    update(dataDir, {
      ...record,
      state: 'stopping',
      stopSignal: signal,
      stoppingSince: new Date().toISOString(),
    })
  }
}

/**
 * On exit (synchronous, as 'exit' handlers must be): the exit code into each record this process
 * wrote, unless another process holds that directory now and has its own record there.
 */
function recordExit(code: number): void {
  for (const [dataDir, record] of touched) {
    if (!held.has(dataDir) && anotherHolder(dataDir)) continue
    const exited: OwnerRecord = {
      ...record,
      state: 'exited',
      exitCode: code,
      exitedAt: new Date().toISOString(),
    }
    try {
      if (isOurs(readOwnerRecord(dataDir), record)) writeRecord(dataDir, exited)
    } catch {
      // A record that cannot be written leaves the last state; exiting matters more.
    }
  }
}

function update(dataDir: string, record: OwnerRecord): void {
  touched.set(dataDir, record)
  try {
    writeRecord(dataDir, record)
  } catch {
    // The record informs operators; a full disk must not fail the run that holds the data.
  }
}

function isOurs(onDisk: OwnerRecord | undefined, ours: OwnerRecord): boolean {
  return onDisk?.pid === ours.pid && onDisk.processStartedAt === ours.processStartedAt
}

/** chDB writes "PID: n" into <dir>/status while a process holds the directory, and removes it on close. */
function anotherHolder(dataDir: string): boolean {
  try {
    const pid = Number(/PID:\s*(\d+)/.exec(fs.readFileSync(path.join(dataDir, 'status'), 'utf8'))?.[1])
    return pid !== process.pid
  } catch {
    return false
  }
}

function writeRecord(dataDir: string, record: OwnerRecord): void {
  const file = ownerRecordPath(dataDir)
  const temporary = `${file}.${process.pid}.tmp`
  fs.writeFileSync(temporary, `${JSON.stringify(record, null, 2)}\n`, { mode: 0o600 })
  fs.renameSync(temporary, file)
}
