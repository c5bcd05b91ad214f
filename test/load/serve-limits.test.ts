// The limits an analyst's query runs under, as the engine reads the caller's settings: values the
// engine rounds, wraps or parses differently from a number (tiny fractions, 0, negatives, huge, `1Gi`)
// cannot lift a limit; memory is capped per analyst query; SYSTEM statements are refused read-only.
import os from 'node:os'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { resolveServeOptions, type ServeOptions } from '../../load/serve/options.ts'
import { type RunningServer, startServer } from '../../load/serve/server.ts'
import type { Warehouse } from '../../load/warehouse.ts'
import { openTempWarehouse } from '../helpers/warehouse.ts'

let warehouse: Warehouse
const servers: RunningServer[] = []

async function serve(options: ServeOptions = {}): Promise<string> {
  const server = await startServer(warehouse, { port: 0, ...options })
  servers.push(server)
  return server.url
}

interface Answer {
  status: number
  code: string | null
  text: string
}

/** One query over HTTP, with settings as URL parameters, exactly as written here. */
async function ask(url: string, sql: string, settings: Record<string, string> = {}): Promise<Answer> {
  const target = new URL(url)
  for (const [name, value] of Object.entries(settings)) target.searchParams.set(name, value)
  const response = await fetch(target, { method: 'POST', body: sql })
  return {
    status: response.status,
    code: response.headers.get('x-clickhouse-exception-code'),
    text: await response.text(),
  }
}

beforeAll(async () => {
  warehouse = await openTempWarehouse()
})

afterAll(async () => {
  for (const server of servers) await server.close()
  await warehouse?.close()
})

describe('polyhouse serve: limits as the engine reads them', () => {
  let url: string
  beforeAll(async () => {
    url = await serve({
      maxExecutionTimeS: 3,
      maxResultRows: 1000,
      maxBufferedResultBytes: 100_000,
      maxMemoryUsage: 100_000_000,
      maxThreads: 1,
    })
  })

  it('refuses every value of a limit that the engine reads as none or as more', async () => {
    const lifts: [string, string][] = [
      // The engine keeps microseconds: these are 0, which is no limit at all.
      ['max_execution_time', '0.0000001'],
      ['max_execution_time', '1e-9'],
      ['max_execution_time', '0.0000004'],
      ['max_execution_time', '0'],
      ['max_execution_time', '-0'],
      // A negative time is no limit either.
      ['max_execution_time', '-1'],
      // The engine keeps microseconds: 3.0000001 is 3, within the limit; 3.000001 is not.
      ['max_execution_time', '3.000001'],
      ['max_execution_time', '1e3'],
      // Counts: `Gi` is a suffix the engine knows; 2^64 wraps to 0.
      ['max_result_rows', '1Gi'],
      ['max_result_rows', '18446744073709551616'],
      ['max_result_rows', '18446744073709551615'],
      ['max_result_rows', '0'],
      ['max_result_bytes', '0'],
      ['max_result_bytes', '1Gi'],
      ['max_memory_usage', '0'],
      ['max_memory_usage', '1Gi'],
      ['max_memory_usage', '18446744073709551616'],
      // 2^64 - 1 threads is 512 to the engine; 0 is one per core (more than 1 on any machine with two).
      ['max_threads', '18446744073709551615'],
      ['max_threads', '2'],
      ...(os.availableParallelism() > 1 ? ([['max_threads', '0']] as [string, string][]) : []),
      // What parsing a statement may cost is bound by the engine's own defaults.
      ['max_query_size', '1000000000'],
      ['max_ast_elements', '0'],
      ['max_expanded_ast_elements', '1Gi'],
      // Re-nicing the engine's shared threads is not a reader's to do.
      ['os_thread_priority', '10'],
      ['os_thread_priority', '-20'],
    ]
    for (const [name, value] of lifts) {
      const answer = await ask(url, 'SELECT 1 FORMAT JSON', { [name]: value })
      expect(answer.code, `${name}=${value}: ${answer.text}`).toBe('452')
      expect(answer.status).toBe(500)
      expect(answer.text).toMatch(/^Code: 452\. DB::Exception: Setting \w+ should/)
      expect(answer.text).toMatch(/\(SETTING_CONSTRAINT_VIOLATION\)/)
    }
    expect((await ask(url, 'SELECT 1', { max_execution_time: '0.0000001' })).text).toMatch(
      /Setting max_execution_time shouldn't be greater than 3 \(the engine reads '0\.0000001' as 0, which means no limit\)/,
    )
    expect((await ask(url, 'SELECT 1', { max_result_rows: '1Gi' })).text).toMatch(
      /Setting max_result_rows shouldn't be greater than 1000 \(the engine reads '1Gi' as 1073741824\)/,
    )
  })

  it('answers a value the engine cannot read with the engine’s own error', async () => {
    for (const value of ['0x0', '1e30', 'inf', ' 5', '']) {
      const answer = await ask(url, 'SELECT 1', { max_execution_time: value })
      expect(answer.status, `max_execution_time='${value}': ${answer.text}`).not.toBe(200)
      expect(answer.code).not.toBe('452')
      expect(answer.text).toMatch(/^Code: \d+\. DB::Exception: /)
    }
  })

  it('takes a limit lowered in any form the engine reads, and keeps to it', async () => {
    // A tiny but real time limit: the engine keeps microseconds, so 0.000001 ends the query at once.
    const quick = await ask(url, 'SELECT count() FROM numbers(100000000000)', {
      max_execution_time: '0.000001',
    })
    expect(quick.code).toBe('159')
    const rows = await ask(url, 'SELECT number FROM numbers(600)', { max_result_rows: '500' })
    expect(rows.code).toBe('396')
    expect((await ask(url, 'SELECT number FROM numbers(600)', { max_result_rows: '1k' })).status).toBe(200)
    expect((await ask(url, 'SELECT 1', { max_threads: '+1', max_memory_usage: '10Mi' })).text).toBe('1\n')
  })

  it('stops a query at the time limit when the caller asks for none', async () => {
    const started = Date.now()
    const answer = await ask(
      url,
      'SELECT sum(sleepEachRow(0.5)) FROM numbers(40) SETTINGS function_sleep_max_microseconds_per_block = 0, max_block_size = 1',
      { max_execution_time: '0.0000001' },
    )
    expect(answer.code).toBe('452')
    const unasked = await ask(url, 'SELECT count() FROM numbers(100000000000)')
    expect(unasked.code).toBe('159')
    expect(Date.now() - started).toBeLessThan(15_000)
  })

  it('bounds a result held for wait_end_of_query=1 in bytes, as it bounds whole formats', async () => {
    const sql = 'SELECT repeat(toString(number % 10), 1000) FROM numbers(900) FORMAT TabSeparated'
    const held = await ask(url, sql, { wait_end_of_query: '1' })
    expect(held.code).toBe('396')
    expect(held.text).toMatch(/TOO_MANY_ROWS_OR_BYTES/)
    // A constant column, which the engine's byte count sees once, is bound as it is held.
    const constant = await ask(url, "SELECT repeat('x', 1000) FROM numbers(900) FORMAT TabSeparated", {
      wait_end_of_query: '1',
    })
    expect(constant.code).toBe('396')
    // Streamed, the same rows leave one chunk at a time and are bound by rows only.
    const streamed = await ask(url, sql)
    expect(streamed.status).toBe(200)
    expect(streamed.text.length).toBe(900 * 1001)
  })
})

describe('polyhouse serve: analysts’ memory', () => {
  const hungry = "SELECT length(groupArray(repeat('x', 1000))) FROM numbers(300000)"

  it('stops an analyst query over --max-memory-usage with ClickHouse’s error, and not the writer', async () => {
    const url = await serve({ maxMemoryUsage: 50_000_000 })
    const answer = await ask(url, hungry)
    expect(answer.status).toBe(500)
    expect(answer.code).toBe('241')
    expect(answer.text).toMatch(
      /^Code: 241\. DB::Exception: Query memory limit exceeded: .*maximum: 47\.68 MiB.*\(MEMORY_LIMIT_EXCEEDED\)/s,
    )
    // The process's own queries are not capped.
    expect(await warehouse.query(hungry.replace(')) FROM', ')) AS n FROM'))).toEqual([{ n: '300000' }])
    // Within the cap, the same reader is answered.
    expect((await ask(url, "SELECT length(groupArray(repeat('x', 1000))) FROM numbers(10000)")).text).toBe(
      '10000\n',
    )
  })

  it('caps analysts by default: a share of the machine’s memory, split over the queries that may run', () => {
    const resolved = resolveServeOptions({})
    expect(resolved.maxMemoryUsage).toBeGreaterThan(0)
    expect(resolved.maxMemoryUsage * resolved.maxRunningQueries).toBeLessThanOrEqual(os.totalmem() / 2)
    expect(resolved.maxThreads).toBeGreaterThanOrEqual(1)
    // Together, analysts' queries may keep busy all cores but one: the writer keeps a core.
    expect(resolved.maxThreads * resolved.maxRunningQueries).toBeLessThanOrEqual(
      Math.max(1, os.availableParallelism() - 1),
    )
    // Asking for more threads a query leaves fewer queries running, and the other way round.
    const wide = resolveServeOptions({ maxThreads: os.availableParallelism() })
    expect(wide.maxRunningQueries).toBe(1)
    const one = resolveServeOptions({ maxRunningQueries: 1 })
    expect(one.maxThreads).toBe(Math.max(1, os.availableParallelism() - 1))
  })
})

describe('polyhouse serve: SYSTEM statements from a read-only reader', () => {
  it('refuses each with the engine’s READONLY error, the global forms included', async () => {
    const url = await serve()
    for (const statement of [
      'SYSTEM STOP MERGES',
      'SYSTEM START MERGES',
      'SYSTEM STOP TTL MERGES',
      'SYSTEM STOP MOVES',
      'SYSTEM STOP MERGES default.some_table',
      'SYSTEM DROP MARK CACHE',
      'system stop merges',
      '/* x */ SYSTEM\nSTOP MERGES',
    ]) {
      const answer = await ask(url, statement)
      expect(answer.code, statement).toBe('164')
      expect(answer.text).toMatch(
        /^Code: 164\. DB::Exception: default: Cannot execute query in readonly mode\. \(READONLY\)/,
      )
    }
  })
})
