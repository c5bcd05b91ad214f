// The eth_getLogs reply scanner: every span it keeps reads back what JSON.parse gives for the same
// log (real fixture logs, simulator logs, other layouts of the same JSON), and every body it cannot
// read as a plain result is declined, so the JSON-RPC reader handles it as before. Logs already
// parsed are scanned the same way once written back as bytes.
import { describe, expect, it } from 'vitest'
import { scanLogsReply, scanParsedLogs } from '../../../extract/chain/log-scan.ts'
import { LogField, type ScannedLogs } from '../../../extract/chain/scanned-logs.ts'
import { World } from '../../../simulator/world/index.ts'
import { blockParts, logJson } from '../../../simulator/world/log-writer.ts'
import { fixtures } from './fixtures.ts'

const reply = (logs: unknown[], space?: number) =>
  Buffer.from(JSON.stringify({ jsonrpc: '2.0', id: 7, result: logs }, null, space))

const FIELD_NAMES = Object.keys(LogField) as (keyof typeof LogField)[]

/** What each field should read as, from the parsed log. */
function expectedField(log: Record<string, unknown>, name: keyof typeof LogField): string | undefined {
  const topic = /^topic(\d)$/.exec(name)
  const value = topic ? (log.topics as string[] | undefined)?.[Number(topic[1])] : log[name]
  return typeof value === 'string' ? value : undefined
}

function expectSameAsParsed(scanned: ScannedLogs, logs: Record<string, unknown>[]) {
  expect(scanned.length).toBe(logs.length)
  for (const [i, log] of logs.entries()) {
    expect(scanned.irregular(i)).toBe(false)
    expect(scanned.object(i)).toEqual(log)
    expect(scanned.topicCount(i)).toBe((log.topics as unknown[]).length)
    expect(scanned.removed(i)).toBe(log.removed === true)
    for (const name of FIELD_NAMES) {
      const field = LogField[name]
      const value = expectedField(log, name)
      expect(scanned.text(i, field), `${i} ${name}`).toBe(value)
      expect(scanned.isLowerHex(i, field), `${i} ${name}`).toBe(
        value !== undefined && /^0x[0-9a-f]*$/.test(value),
      )
    }
    expect(scanned.quantity(i, LogField.blockNumber)).toBe(Number(log.blockNumber))
    expect(scanned.quantity(i, LogField.logIndex)).toBe(
      typeof log.logIndex === 'string' && log.logIndex.length > 2 ? Number(log.logIndex) : undefined,
    )
  }
}

describe('scanLogsReply', () => {
  it('reads the real fixture logs as JSON.parse does, compact and pretty-printed, keys in any order', () => {
    const logs = [
      fixtures.orderFilledV1(),
      fixtures.orderFilledV2(),
      fixtures.transferSingle(),
      fixtures.transferBatch(),
      {
        ...fixtures.orderFilledV2(),
        transactionHash: `0x${fixtures.orderFilledV2().transactionHash.slice(2).toUpperCase()}`,
      },
      { ...fixtures.orderFilledV1(), data: '0x', removed: true, logIndex: '0x' },
    ] as unknown as Record<string, unknown>[]
    expectSameAsParsed(scanLogsReply(reply(logs)) as ScannedLogs, logs)
    expectSameAsParsed(scanLogsReply(reply(logs, 2)) as ScannedLogs, logs)
    const reordered = logs.map((log) => Object.fromEntries(Object.entries(log).reverse()))
    const body = Buffer.from(`{"result":${JSON.stringify(reordered)},"id":"a","jsonrpc":"2.0"}`)
    expectSameAsParsed(scanLogsReply(body) as ScannedLogs, reordered)
  })

  it('reads thousands of simulator logs as JSON.parse does', () => {
    const world = new World({
      seed: 'scan',
      markets: 100,
      wallets: 40,
      fills: 3_000,
      blocks: 3_000,
      driftRate: 0,
    })
    const texts: string[] = []
    let parts = blockParts(-1, '', 0)
    for (const fill of world.fills.fillsInBlocks(0, Number.MAX_SAFE_INTEGER)) {
      if (parts.block !== fill.blockNumber) {
        const { chain } = world
        parts = blockParts(
          fill.blockNumber,
          chain.blockHash(fill.blockNumber),
          chain.timestamp(fill.blockNumber),
        )
      }
      texts.push(logJson(fill, parts))
    }
    const body = Buffer.from(`{"jsonrpc":"2.0","id":1,"result":[${texts.join(',')}]}`)
    const logs = JSON.parse(body.toString()).result as Record<string, unknown>[]
    expect(logs.length).toBeGreaterThan(2_000)
    expectSameAsParsed(scanLogsReply(body) as ScannedLogs, logs)
  })

  it('tells lower-case hex from every other byte, wherever it falls in a hex field', () => {
    // The scan tests a field's digits eight at a time, then the rest one by one: each byte value is
    // put at a different offset of a 33-digit field, landing in the blocks of eight and in the tail.
    const digits = 'abcdef0123456789'.repeat(2)
    for (let value = 0x20; value < 0x100; value++) {
      if (value === 0x22 || value === 0x5c) continue // a quote or a backslash ends or escapes the string
      const at = (value * 7) % (digits.length + 1)
      const bytes = Buffer.from(
        `{"result":[{"data":"0x${digits.slice(0, at)}_${digits.slice(at)}"}]}`,
        'latin1',
      )
      bytes[bytes.indexOf('_')] = value
      const scanned = scanLogsReply(bytes)
      if (value >= 0x80) {
        // Not UTF-8 on its own: the scan may decline the body or read it; it never calls it hex.
        if (scanned !== undefined) expect(scanned.isLowerHex(0, LogField.data)).toBe(false)
        continue
      }
      const lower = (value >= 0x30 && value <= 0x39) || (value >= 0x61 && value <= 0x66)
      expect(scanned?.isLowerHex(0, LogField.data), `byte 0x${value.toString(16)} at ${at}`).toBe(lower)
    }
  })

  it('reads an empty result, null fields as absent, and skips keys it does not know', () => {
    expect(scanLogsReply(reply([]))?.length).toBe(0)
    const log = {
      ...fixtures.orderFilledV2(),
      blockHash: null,
      logIndex: null,
      extra: { nested: [1, -2.5e3, 'x\\"y', null, true, { deeper: [] }] },
      note: 'tab\there "quoted" é \\ / \u0001 \u{1F600}',
    }
    const scanned = scanLogsReply(reply([log])) as ScannedLogs
    expect(scanned.irregular(0)).toBe(false)
    expect(scanned.text(0, LogField.blockHash)).toBeUndefined()
    expect(scanned.start(0, LogField.logIndex)).toBe(-1)
    expect(scanned.text(0, LogField.data)).toBe(log.data)
    expect(scanned.object(0)).toEqual(log)
  })

  it('marks a log irregular when a field it keeps holds something else, and parses it whole', () => {
    const base = fixtures.orderFilledV1() as unknown as Record<string, unknown> & { topics: string[] }
    const variants: Record<string, unknown>[] = [
      { ...base, blockNumber: 53_000_000 },
      { ...base, topics: [...base.topics, base.topics[1]] },
      { ...base, topics: 'none' },
      { ...base, removed: 'no' },
      { ...base, address: { value: base.address } },
    ]
    const escaped = reply([base]).toString().replace('"data":"0x', '"data":"\\u0030x')
    // A repeated key: JSON.parse keeps the last value, the spans would mix both.
    const repeated = reply([base])
      .toString()
      .replace('"transactionHash":', `"transactionHash":"0x${'AB'.repeat(32)}","transactionHash":`)
    for (const body of [
      ...variants.map((log) => reply([log])),
      Buffer.from(escaped),
      Buffer.from(repeated),
    ]) {
      const scanned = scanLogsReply(body) as ScannedLogs
      expect(scanned.length).toBe(1)
      expect(scanned.irregular(0)).toBe(true)
      expect(scanned.object(0)).toEqual(JSON.parse(body.toString()).result[0])
    }
  })

  it('declines every body that is not one plain result, leaving it to the JSON-RPC reader', () => {
    const good = reply([fixtures.orderFilledV2()]).toString()
    const bodies = [
      '{"jsonrpc":"2.0","id":1,"error":{"code":-32005,"message":"query returned more than 10000 results"}}',
      `[${good}]`,
      '{"jsonrpc":"2.0","id":1,"result":null}',
      '{"jsonrpc":"2.0","id":1,"result":"0x1"}',
      '{"jsonrpc":"2.0","id":1}',
      good.slice(0, -40),
      `${good} trailing`,
      `${good.slice(0, -1)},"result":[]}`,
      '<html><body>502 Bad Gateway</body></html>',
      '',
      '{"jsonrpc":"2.0","id":1,"result":[1,2]}',
      '{"jsonrpc":"2.0","id":1,"result":[{"address":"0x1",}]}',
      `{"jsonrpc":"2.0","id":1,"result":[{"a":${'['.repeat(100_000)}]}`,
      // Escapes JSON does not have, in a key the scan would otherwise skip.
      good.replace('{"address"', '{"note":"\\q","address"'),
      good.replace('{"address"', '{"note":"\\u00g1","address"'),
    ]
    for (const body of bodies) expect(scanLogsReply(Buffer.from(body)), body.slice(0, 80)).toBeUndefined()
  })
})

describe('scanParsedLogs', () => {
  it('reads parsed logs as the objects they are, escapes in their strings making a log irregular', () => {
    const logs: Record<string, unknown>[] = [
      { ...fixtures.orderFilledV1() },
      { ...fixtures.orderFilledV2() },
      { ...fixtures.transferBatch() },
    ]
    expectSameAsParsed(scanParsedLogs(logs) as ScannedLogs, logs)
    const quoted = { ...fixtures.orderFilledV2(), transactionHash: '0x"ab' }
    const scanned = scanParsedLogs([quoted]) as ScannedLogs
    expect(scanned.irregular(0)).toBe(true)
    expect(scanned.object(0)).toEqual(quoted)
  })

  it('leaves to the caller what cannot be a reply: an entry that is not a log object', () => {
    expect(scanParsedLogs([fixtures.orderFilledV1(), null])).toBeUndefined()
    expect(scanParsedLogs(['0x1'])).toBeUndefined()
    expect(scanParsedLogs([])?.length).toBe(0)
  })
})
