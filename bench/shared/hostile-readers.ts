// Readers that try to hurt a serving process (bench/analyst-crowd.ts --hostile): each loops on one
// kind of attack until told to stop, and counts the answers by HTTP status. The mix, by reader index
// (--kinds picks some instead):
//   sleeper  the query that froze a backfill: a row every 0.5 s, nothing to send until the sum
//   burner   a scan that keeps its threads busy until the time limit
//   hog      an aggregate that grows until the memory cap stops it
//   lifter   the sleeper with max_execution_time=0.0000001 (0 to the engine: no limit)
//   stalled  asks for a large streamed result and never reads it
//   system   SYSTEM STOP MERGES
import net from 'node:net'
import type { Sample } from '../analyst-crowd.ts'

const MIX = [
  'sleeper',
  'burner',
  'hog',
  'sleeper',
  'lifter',
  'stalled',
  'sleeper',
  'burner',
  'system',
  'sleeper',
  'hog',
  'sleeper',
  'burner',
  'lifter',
  'sleeper',
  'stalled',
  'sleeper',
  'hog',
  'burner',
  'sleeper',
] as const
export type Kind = (typeof MIX)[number]

/** The kinds of --kinds (`burner,hog`), checked; none given: the mix above. */
export function readerKinds(list: string | undefined): readonly Kind[] {
  if (list === undefined) return MIX
  const kinds = list.split(',')
  const unknown = kinds.filter((kind) => !(MIX as readonly string[]).includes(kind))
  if (unknown.length > 0 || kinds.length === 0)
    throw new Error(`unknown reader kinds ${unknown.join(',')}: use ${[...new Set(MIX)].join(',')}`)
  return kinds as Kind[]
}

const SLEEPER = 'SELECT sum(sleepEachRow(0.5)) FROM numbers(400)'
const SLEEP_SETTINGS = { function_sleep_max_microseconds_per_block: '0', max_block_size: '1' }

const ATTACKS: Record<Exclude<Kind, 'stalled'>, { sql: string; settings: Record<string, string> }> = {
  sleeper: { sql: SLEEPER, settings: SLEEP_SETTINGS },
  burner: {
    sql: 'SELECT count() FROM numbers(100000000000000) WHERE sipHash64(number) % 7 = 3',
    settings: {},
  },
  hog: {
    sql: 'SELECT length(groupArray(repeat(toString(number), 1000))) FROM numbers(100000000)',
    settings: {},
  },
  lifter: { sql: SLEEPER, settings: { ...SLEEP_SETTINGS, max_execution_time: '0.0000001' } },
  system: { sql: 'SYSTEM STOP MERGES', settings: {} },
}

/** How long a stalled reader keeps its connection before it gives up and asks again. */
const STALLED_GIVE_UP_MS = 120_000

export interface HostileResult {
  samples: Sample[]
  errors: { at: number; message: string }[]
  outcomes: Record<string, Record<string, number>>
}

export async function hostileReader(
  index: number,
  url: string,
  stopping: () => boolean,
  kinds: readonly Kind[] = MIX,
): Promise<HostileResult> {
  const kind = kinds[index % kinds.length] as Kind
  const statuses: Record<string, number> = {}
  const samples: Sample[] = []
  while (!stopping()) {
    const at = Date.now()
    const started = performance.now()
    const status = kind === 'stalled' ? await stall(url, stopping) : await attack(url, kind)
    statuses[status] = (statuses[status] ?? 0) + 1
    samples.push([at, performance.now() - started, 0])
    // A refusal comes back at once; a hostile client would loop on it, but not faster than this.
    if (performance.now() - started < 10) await new Promise((resolve) => setTimeout(resolve, 10))
  }
  return { samples, errors: [], outcomes: { [kind]: statuses } }
}

async function attack(url: string, kind: Exclude<Kind, 'stalled'>): Promise<string> {
  const { sql, settings } = ATTACKS[kind]
  const target = new URL(url)
  for (const [name, value] of Object.entries(settings)) target.searchParams.set(name, value)
  try {
    const response = await fetch(target, { method: 'POST', body: sql })
    await response.arrayBuffer()
    const code = response.headers.get('x-clickhouse-exception-code')
    return code ? `${response.status} (code ${code})` : String(response.status)
  } catch {
    return '0'
  }
}

/**
 * A streamed result of ~1 GB requested over a socket that is never read; resolves when it closes.
 * (A server that cuts it off sends a FIN this paused socket never reads, so mostly it is given up.)
 */
function stall(url: string, stopping: () => boolean): Promise<string> {
  const { hostname, port } = new URL(url)
  const sql = 'SELECT repeat(toString(number % 10), 100) FROM numbers(10000000) FORMAT TabSeparated'
  return new Promise((resolve) => {
    const socket = net.connect(Number(port), hostname)
    socket.pause()
    let outcome = 'closed'
    const giveUp = setTimeout(() => {
      outcome = 'held until given up'
      socket.destroy()
    }, STALLED_GIVE_UP_MS)
    const poll = setInterval(() => {
      if (stopping()) socket.destroy()
    }, 500)
    socket.on('error', () => {})
    socket.on('close', () => {
      clearTimeout(giveUp)
      clearInterval(poll)
      resolve(outcome)
    })
    socket.write(
      `POST / HTTP/1.1\r\nHost: ${hostname}\r\nContent-Length: ${Buffer.byteLength(sql)}\r\n\r\n${sql}`,
    )
  })
}
