// The trade views on hand-made rows: the snapshot rule of vw_trades_unified (a position missing from
// a wallet's newest snapshot is gone), unknown tokens kept with empty metadata and countable, and
// every status of vw_position_reconciliation — each checked with the exact decimals.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { reloadTokenMarkets, unknownTokenCounts } from '../../../steps/chain/index.ts'
import { openStepHarness, rows, type StepHarness } from './harness.ts'

const A = '0x00000000000000000000000000000000000000aa'
const B = '0x00000000000000000000000000000000000000bb'
const NEVER = '0x00000000000000000000000000000000000000cc'
const EXCHANGE = '0x4bfb41d5b3570defd03c39a9a4d8de6bd8b8982e'
const KNOWN = '1001'
const OTHER = '1002'
const UNKNOWN = '9999'

let h: StepHarness

/** A V1 fill on the CTF exchange (amounts in raw 6-decimal units). */
function fill(
  block: number,
  maker: string,
  side: 'BUY' | 'SELL',
  token: string,
  shares: number,
  collateral: number,
  fee = 0,
) {
  const [making, taking] = side === 'BUY' ? [collateral, shares] : [shares, collateral]
  return {
    block_number: block,
    log_index: 0,
    tx_hash: `0x${String(block).padStart(64, '0')}`,
    block_hash: `0x${'b'.repeat(64)}`,
    block_time: 1_700_000_000 + block,
    exchange: EXCHANGE,
    exchange_version: 1,
    order_hash: `0x${'0'.repeat(64)}`,
    maker,
    taker: EXCHANGE,
    side,
    token_id: token,
    maker_asset_id: side === 'BUY' ? '0' : token,
    taker_asset_id: side === 'BUY' ? token : '0',
    maker_amount_filled: String(making),
    taker_amount_filled: String(taking),
    fee: String(fee),
    builder: '',
    metadata: '',
    _run_id: 'test',
  }
}

beforeAll(async () => {
  h = await openStepHarness()
  const w = h.warehouse
  await w.insert('markets', [
    {
      market_id: 7,
      condition_id: '0xc7',
      slug: 'will-it',
      question: 'Will it?',
      event_title: 'It',
      _run_id: 't',
    },
  ])
  await w.insert('market_tokens', [
    { token_id: KNOWN, condition_id: '0xc7', market_id: 7, outcome_index: 0, outcome: 'Yes', _run_id: 't' },
    { token_id: OTHER, condition_id: '0xc7', market_id: 7, outcome_index: 1, outcome: 'No', _run_id: 't' },
  ])
  await w.insert('chain_fills', [
    // A: bought 10 @ 0.40 with a 0.1-share fee (V1 BUY), sold 4 → 5.9 shares of KNOWN.
    fill(1, A, 'BUY', KNOWN, 10_000_000, 4_000_000, 100_000),
    fill(2, A, 'SELL', KNOWN, 4_000_000, 2_000_000),
    // A: 3 shares of a token no market lists.
    fill(3, A, 'BUY', UNKNOWN, 3_000_000, 1_500_000),
    // B: bought 2 of OTHER and sold them all: nothing left, nothing listed: a match.
    fill(4, B, 'BUY', OTHER, 2_000_000, 1_000_000),
    fill(5, B, 'SELL', OTHER, 2_000_000, 1_100_000),
    // B: 1 share of KNOWN the API disagrees with.
    fill(6, B, 'BUY', KNOWN, 1_000_000, 500_000),
    // A wallet never fetched.
    fill(7, NEVER, 'BUY', KNOWN, 1_000_000, 500_000),
  ])
  await w.insert('wallets', [
    {
      wallet: A,
      source: 'chain',
      positions_snapshot_at: '2026-07-02 00:00:00.000',
      positions_count: 2,
      _run_id: 't',
    },
    {
      wallet: B,
      source: 'chain',
      positions_snapshot_at: '2026-07-02 00:00:00.000',
      positions_count: 1,
      _run_id: 't',
    },
    { wallet: NEVER, source: 'chain', positions_count: 0, _run_id: 't' },
  ])
  const position = (wallet: string, token: string, size: string, snapshot: string) => ({
    wallet,
    token_id: token,
    condition_id: token === UNKNOWN ? '0xunknown' : '0xc7',
    outcome: 'Yes',
    size,
    avg_price: '0.4',
    snapshot_at: snapshot,
    raw: '{}',
    _run_id: 't',
  })
  await w.insert('positions', [
    position(A, KNOWN, '5.9', '2026-07-02 00:00:00.000'),
    position(A, UNKNOWN, '3', '2026-07-02 00:00:00.000'),
    // From an older snapshot: gone by the newest one.
    position(A, OTHER, '8', '2026-07-01 00:00:00.000'),
    position(B, KNOWN, '1.5', '2026-07-02 00:00:00.000'),
    // Listed by the API, never traded: a split or a transfer.
    position(B, UNKNOWN, '2', '2026-07-02 00:00:00.000'),
  ])
  await reloadTokenMarkets(w)
}, 60_000)

afterAll(async () => {
  await h?.close()
})

describe('vw_trades_unified', () => {
  it('serves a wallet from both sources, current positions only, unknown tokens kept with empty metadata', async () => {
    const unified = await rows(
      h.warehouse,
      `SELECT source, toString(token_id) AS token, side, shares, price, condition_id, outcome, question, slug, event_title, toString(market_known) AS known
       FROM vw_trades_unified WHERE wallet = '${A}' ORDER BY source, time, token`,
    )
    expect(unified).toEqual([
      {
        source: 'blockchain',
        token: KNOWN,
        side: 'BUY',
        shares: '10.000000',
        price: '0.400000000000000000',
        condition_id: '0xc7',
        outcome: 'Yes',
        question: 'Will it?',
        slug: 'will-it',
        event_title: 'It',
        known: '1',
      },
      {
        source: 'blockchain',
        token: KNOWN,
        side: 'SELL',
        shares: '4.000000',
        price: '0.500000000000000000',
        condition_id: '0xc7',
        outcome: 'Yes',
        question: 'Will it?',
        slug: 'will-it',
        event_title: 'It',
        known: '1',
      },
      {
        source: 'blockchain',
        token: UNKNOWN,
        side: 'BUY',
        shares: '3.000000',
        price: '0.500000000000000000',
        condition_id: '',
        outcome: '',
        question: '',
        slug: '',
        event_title: '',
        known: '0',
      },
      {
        source: 'clob_api',
        token: KNOWN,
        side: '',
        shares: '5.900000',
        price: '0.400000000000000000',
        condition_id: '0xc7',
        outcome: 'Yes',
        question: 'Will it?',
        slug: 'will-it',
        event_title: 'It',
        known: '1',
      },
      {
        source: 'clob_api',
        token: UNKNOWN,
        side: '',
        shares: '3.000000',
        price: '0.400000000000000000',
        condition_id: '0xunknown',
        outcome: 'Yes',
        question: '',
        slug: '',
        event_title: '',
        known: '0',
      },
    ])
    const [unknown] = await rows(
      h.warehouse,
      `SELECT toString(countIf(market_known = 0)) AS n FROM vw_trades_unified`,
    )
    expect(unknown?.n).toBe('3')
    expect(await unknownTokenCounts(h.warehouse)).toEqual({
      fills: 7,
      fillsWithUnknownToken: 1,
      positions: 4,
      positionsWithUnknownToken: 2,
    })
  })
})

describe('vw_position_reconciliation', () => {
  it('puts chain shares beside the API size with their difference and a status', async () => {
    const reconciled = await rows(
      h.warehouse,
      `SELECT wallet, toString(token_id) AS token, chain_shares, api_shares, difference, toString(fills) AS fills, status,
              toString(positions_fetched) AS fetched
       FROM vw_position_reconciliation ORDER BY wallet, token`,
    )
    expect(reconciled).toEqual([
      {
        wallet: A,
        token: KNOWN,
        chain_shares: '5.900000',
        api_shares: '5.900000',
        difference: '0.000000',
        fills: '2',
        status: 'match',
        fetched: '1',
      },
      {
        wallet: A,
        token: UNKNOWN,
        chain_shares: '3.000000',
        api_shares: '3.000000',
        difference: '0.000000',
        fills: '1',
        status: 'match',
        fetched: '1',
      },
      {
        wallet: B,
        token: KNOWN,
        chain_shares: '1.000000',
        api_shares: '1.500000',
        difference: '0.500000',
        fills: '1',
        status: 'differs',
        fetched: '1',
      },
      {
        wallet: B,
        token: OTHER,
        chain_shares: '0.000000',
        api_shares: '0.000000',
        difference: '0.000000',
        fills: '2',
        status: 'match',
        fetched: '1',
      },
      {
        wallet: B,
        token: UNKNOWN,
        chain_shares: '0.000000',
        api_shares: '2.000000',
        difference: '2.000000',
        fills: '0',
        status: 'only_api',
        fetched: '1',
      },
      {
        wallet: NEVER,
        token: KNOWN,
        chain_shares: '1.000000',
        api_shares: '0.000000',
        difference: '-1.000000',
        fills: '1',
        status: 'only_chain',
        fetched: '0',
      },
    ])
    const one = await rows(
      h.warehouse,
      `SELECT status FROM vw_position_reconciliation WHERE wallet = '${B}' AND status != 'match' ORDER BY status`,
    )
    expect(one.map((row) => row.status)).toEqual(['differs', 'only_api'])
  })
})
