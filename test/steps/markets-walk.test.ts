// The markets step when a Gamma listing pages in a circle: the looping partition is recorded failed
// in etl_errors and left at its last committed cursor, while every other partition is walked to its
// end — one bad listing does not stop the step, nor does the step walk it forever.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { stepContext } from '../../bench/shared/step-context.ts'
import { keysetPartitions } from '../../extract/gamma/partitions.ts'
import { createHttpClient } from '../../extract/http/client.ts'
import { parseRateSpec, resolveRateLimits } from '../../extract/http/rates.ts'
import type { Warehouse } from '../../load/warehouse.ts'
import { createMarketsStep } from '../../steps/markets/index.ts'
import { type FakeServer, sendJson, startServer } from '../extract/http/fake-server.ts'
import { openTempWarehouse } from '../helpers/warehouse.ts'

/** Few partitions: closed and open records, before 2020, Jan–Mar 2020, and after. */
const NOW = Date.UTC(2020, 2, 15)
const PARTITIONS = keysetPartitions(NOW)
/** The markets of this partition page A → B → A (back to an earlier cursor). */
const MARKETS_LOOP = 'closed=false|2020-01'
/** The events of this one answer the cursor they were asked after (B → B). */
const EVENTS_LOOP = 'closed=true|2020-02'

const LOOPS: Record<string, { partition: string; next: Record<string, string> }> = {
  markets: { partition: MARKETS_LOOP, next: { '': 'A', A: 'B', B: 'A' } },
  events: { partition: EVENTS_LOOP, next: { '': 'A', A: 'B', B: 'B' } },
}

function partitionOf(query: URLSearchParams): string | undefined {
  return PARTITIONS.find(
    (partition) =>
      Object.entries(partition.filters).every(([name, value]) => query.get(name) === value) &&
      ['start_date_min', 'start_date_max'].every((name) => query.has(name) === name in partition.filters),
  )?.id
}

describe('markets step over a listing that loops', () => {
  let gamma: FakeServer
  let warehouse: Warehouse
  const http = createHttpClient({ rateLimits: resolveRateLimits(parseRateSpec('gamma=2000/s')) })

  beforeAll(async () => {
    // Every listing is one empty page, except the two loops.
    gamma = await startServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://gamma')
      const kind = url.pathname === '/markets/keyset' ? 'markets' : 'events'
      const loop = LOOPS[kind]
      const after = url.searchParams.get('after_cursor') ?? ''
      const next = loop && partitionOf(url.searchParams) === loop.partition ? loop.next[after] : undefined
      sendJson(res, 200, { [kind]: [], next_cursor: next })
    })
    warehouse = await openTempWarehouse()
  })
  afterAll(async () => {
    await http.close()
    await warehouse?.close()
    await gamma?.close()
  })

  it('records the looping partitions failed, walks the others to their end, and goes on', async () => {
    const context = await stepContext(warehouse)
    const step = createMarketsStep({
      http,
      gammaUrl: gamma.url,
      rateLimits: resolveRateLimits(new Map()),
      now: () => NOW,
    })
    const outcome = await step.run(context)
    expect(outcome.complete).toBe(false)
    expect(outcome.failures.map((failure) => failure.unit).sort()).toEqual([
      `events ${EVENTS_LOOP}@B`,
      `markets ${MARKETS_LOOP}@B`,
    ])
    for (const failure of outcome.failures)
      expect(failure.error).toMatch(/repeated a cursor: the walk would loop/)

    const errors = await warehouse.query<{ stream: string; error_kind: string; attempts: number }>(
      'SELECT stream, error_kind, attempts FROM etl_errors ORDER BY stream',
    )
    expect(errors).toEqual([
      { stream: 'events', error_kind: 'RepeatedCursorError', attempts: 1 },
      { stream: 'markets', error_kind: 'RepeatedCursorError', attempts: 1 },
    ])

    for (const kind of ['markets', 'events'] as const) {
      const cursors = await context.checkpoints.cursors(kind)
      for (const partition of PARTITIONS) {
        const checkpoint = cursors.get(partition.id)
        if (partition.id === LOOPS[kind]?.partition) {
          // Its pages up to the loop are committed: the next run resumes after B, and meets it again.
          expect(checkpoint).toMatchObject({ cursor: 'B', done: false })
        } else {
          expect(checkpoint?.done).toBe(true)
        }
      }
    }
  })
})
