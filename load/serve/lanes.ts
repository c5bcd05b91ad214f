// How many served queries may be in the engine at once, so that the process's own writer keeps its
// pace whatever readers do.
//
// Why this is needed: chDB runs every asynchronous call (a query, each fetch of a streamed result, an
// insert) on libuv's thread pool and blocks that thread until the engine answers, and a connection
// runs one call at a time while its queued calls each block a pool thread of their own. The pool is
// the process's: the backfill's inserts, its staged-file writes (fs), its responses' gunzip (zlib) and
// its DNS lookups use the same threads. libuv starts 4 of them unless UV_THREADPOOL_SIZE says
// otherwise, so four readers in slow queries (`SELECT sum(sleepEachRow(0.5)) FROM numbers(400)`)
// held every thread and stopped the backfill, `polyhouse status` and every other reader until the
// engine's time limit ended them (measured: a writer's `SELECT 1` waited out four such readers).
//
// So served queries take a slot here before their first engine call and keep it until their response
// ends, and the slots leave WRITER_RESERVED_THREADS of the pool to the process's own work. Analysts
// may hold only some of the slots, so polyhouse's own commands (status, query, a writer working
// through this server) always find one. A query that finds no slot waits for one, for at most the
// queue wait, then gets 503 as ClickHouse answers a full server.
import { ErrorCode, ServeError } from './errors.ts'

/** libuv's thread pool when UV_THREADPOOL_SIZE is not set (deps/uv/src/threadpool.c, default_threads). */
export const LIBUV_DEFAULT_POOL_SIZE = 4
/** libuv's upper bound on UV_THREADPOOL_SIZE (MAX_THREADPOOL_SIZE there). */
const LIBUV_MAX_POOL_SIZE = 1_024
/**
 * Pool threads served queries never get. The writer's engine calls run one at a time on its connection
 * (one thread), and the second keeps its file writes, gunzip and DNS moving while an insert runs.
 */
export const WRITER_RESERVED_THREADS = 2
/** Slots only polyhouse's own commands may take, so `polyhouse status` answers while analysts queue. */
export const OWNER_RESERVED_SLOTS = 1
/** Analyst queries in the engine at once when no flag says (fewer when the pool is small). */
export const DEFAULT_MAX_RUNNING_QUERIES = 4
/**
 * How long a query waits for a slot before 503. Long enough for a queue of wallet lookups (tens of
 * milliseconds each) to drain, short enough that a client held behind slow queries hears back.
 */
export const DEFAULT_QUEUE_WAIT_S = 10

/**
 * The size of this process's libuv pool, as libuv read UV_THREADPOOL_SIZE when it started the pool
 * (atoi: leading digits; 0 means 1; capped at 1024). polyhouse's launcher (bin/polyhouse.js) sets it
 * before anything starts the pool; a value set later in the process is not what libuv uses.
 */
export function enginePoolSize(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.UV_THREADPOOL_SIZE
  if (raw === undefined) return LIBUV_DEFAULT_POOL_SIZE
  const threads = Number.parseInt(raw, 10)
  if (!Number.isFinite(threads) || threads === 0) return 1
  // atoi's negative result becomes a huge unsigned count, which libuv caps.
  return threads < 0 ? LIBUV_MAX_POOL_SIZE : Math.min(threads, LIBUV_MAX_POOL_SIZE)
}

/** Slots for served queries in a pool of `poolSize` threads: all but the writer's reserve, at least two. */
export function servedSlots(poolSize: number): number {
  return Math.max(OWNER_RESERVED_SLOTS + 1, poolSize - WRITER_RESERVED_THREADS)
}

/** The most analyst queries that may run at once with `poolSize` threads. */
export function maxAnalystSlots(poolSize: number): number {
  return servedSlots(poolSize) - OWNER_RESERVED_SLOTS
}

interface Waiter {
  owner: boolean
  grant: () => void
}

export class EngineLanes {
  private running = 0
  private analystsRunning = 0
  private readonly waiting: Waiter[] = []

  constructor(
    readonly slots: number,
    readonly analystSlots: number,
    private readonly queueWaitMs: number,
  ) {}

  /**
   * Waits for a slot (owner: any free one; analyst: one within the analysts' share) and resolves with
   * its release. Rejects with 503 after the queue wait, or when `signal` aborts (the caller left).
   */
  acquire(owner: boolean, signal: AbortSignal): Promise<() => void> {
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        owner,
        grant: () => {
          cleanup()
          resolve(this.take(owner))
        },
      }
      const leave = (error: Error) => {
        cleanup()
        const at = this.waiting.indexOf(waiter)
        if (at !== -1) this.waiting.splice(at, 1)
        // A waiter leaving may unblock the ones behind it (an analyst ahead of an owner).
        this.dispatch()
        reject(error)
      }
      const timer = setTimeout(
        () =>
          leave(
            new ServeError(
              ErrorCode.TOO_MANY_SIMULTANEOUS_QUERIES,
              `Too many simultaneous queries: waited ${this.queueWaitMs / 1000} s for one of ${owner ? this.slots : this.analystSlots} running queries to finish (polyhouse serve --max-running-queries, --queue-wait)`,
              { 'Retry-After': '1' },
            ),
          ),
        this.queueWaitMs,
      )
      const onAbort = () => leave(new ServeError(ErrorCode.QUERY_WAS_CANCELLED, 'The client went away'))
      const cleanup = () => {
        clearTimeout(timer)
        signal.removeEventListener('abort', onAbort)
      }
      if (signal.aborted) return leave(new ServeError(ErrorCode.QUERY_WAS_CANCELLED, 'The client went away'))
      signal.addEventListener('abort', onAbort, { once: true })
      this.waiting.push(waiter)
      this.dispatch()
    })
  }

  private fits(owner: boolean): boolean {
    if (this.running >= this.slots) return false
    return owner || this.analystsRunning < this.analystSlots
  }

  private take(owner: boolean): () => void {
    this.running++
    if (!owner) this.analystsRunning++
    let released = false
    return () => {
      if (released) return
      released = true
      this.running--
      if (!owner) this.analystsRunning--
      this.dispatch()
    }
  }

  /** Grants free slots in arrival order; an analyst over its share does not hold up an owner behind it. */
  private dispatch(): void {
    for (let i = 0; i < this.waiting.length && this.running < this.slots; ) {
      const waiter = this.waiting[i] as Waiter
      if (this.fits(waiter.owner)) {
        this.waiting.splice(i, 1)
        waiter.grant()
      } else {
        i++
      }
    }
  }
}
