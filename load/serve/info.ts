// The info file a serving process leaves beside the data it owns (SERVE_INFO_FILE): where it listens
// and the owner key polyhouse's own commands authenticate with. Readable by the owner only (0600),
// like the data itself; it holds no user's password. Another command that finds the directory locked
// by this file's pid talks to that process over HTTP instead of failing.
import fs from 'node:fs'
import path from 'node:path'
import { z } from 'zod'

/** Kept equal to load/warehouse.ts's SERVE_INFO_FILE (not imported: warehouse.ts imports this file). */
const SERVE_INFO_FILE = 'polyhouse-serve.json'

const serveInfoSchema = z.object({
  pid: z.number().int().positive(),
  /** Where polyhouse's own commands reach the server: loopback when it listens on all interfaces. */
  url: z.url(),
  user: z.string().min(1),
  key: z.string().min(1),
  startedAt: z.string(),
  readOnly: z.boolean(),
})

export type ServeInfo = z.infer<typeof serveInfoSchema>

export function serveInfoPath(dataDir: string): string {
  return path.join(dataDir, SERVE_INFO_FILE)
}

/** Written whole (temporary file, then rename) so a reader never sees half of it. */
export function writeServeInfo(dataDir: string, info: ServeInfo): void {
  const file = serveInfoPath(dataDir)
  const temporary = `${file}.${process.pid}.tmp`
  fs.writeFileSync(temporary, `${JSON.stringify(info, null, 2)}\n`, { mode: 0o600 })
  fs.renameSync(temporary, file)
}

/** Removes the file if it is still the one written with `key` (a later server may have replaced it). */
export function removeServeInfo(dataDir: string, key: string): void {
  if (readServeInfo(dataDir)?.key === key) fs.rmSync(serveInfoPath(dataDir), { force: true })
}

export function readServeInfo(dataDir: string): ServeInfo | undefined {
  let raw: unknown
  try {
    raw = JSON.parse(fs.readFileSync(serveInfoPath(dataDir), 'utf8'))
  } catch {
    return undefined
  }
  const parsed = serveInfoSchema.safeParse(raw)
  return parsed.success ? parsed.data : undefined
}

/**
 * The server sharing `dataDir`, when the process holding its lock is the one that wrote the info
 * file. A file left by a killed server names a pid that no longer holds the lock, and is ignored.
 */
export function findServer(dataDir: string, holderPid: number): ServeInfo | undefined {
  const info = readServeInfo(dataDir)
  return info?.pid === holderPid ? info : undefined
}
