import { describe, expect, it } from 'vitest'
import {
  type BlockRange,
  classifyGetLogsError,
  type GetLogsErrorKind,
  type RpcErrorFacts,
} from '../../../extract/chain/provider-errors.ts'

// A 10,001-block request at a realistic Polygon height, used where a message states a cap.
const REQUESTED: BlockRange = { from: 81_000_000, to: 81_010_000 }

interface Case {
  provider: string
  source: string
  error: RpcErrorFacts
  /** The request that drew the error, when the message answers it; else REQUESTED. */
  requested?: BlockRange
  kind: GetLogsErrorKind
  suggested?: BlockRange
  max?: number
  retryAfterMs?: number
}

// Real messages, verbatim, with where each was seen.
const TABLE: Case[] = [
  {
    provider: 'Alchemy (block range, free tier)',
    source: 'BobTheBuidler/dank_mids#772',
    error: {
      code: -32600,
      message:
        'You can make eth_getLogs requests with up to a 500 block range. Based on your parameters, this block range should work: [0x123c9b2, 0x123cba5]',
    },
    requested: { from: 0x123c9b2, to: 0x123c9b2 + 10_000 },
    kind: 'range-too-large',
    suggested: { from: 0x123c9b2, to: 0x123cba5 },
    max: 500,
  },
  {
    provider: 'Alchemy (response size)',
    // The wording Alchemy sends with its 2K/10K rule (docs quoted in bancorprotocol/webapp#523);
    // the suffix is what ponder's "alchemy" rule parses. The block numbers are illustrative.
    source: 'ponder getLogsRetryHelper "alchemy"; bancorprotocol/webapp#523',
    error: {
      code: -32602,
      message:
        'Log response size exceeded. You can make eth_getLogs requests with up to a 2K block range and no limit on the response size, or you can request any block range with a cap of 10K logs in the response. Based on your parameters, this block range should work: [0x4d40a00, 0x4d40a42]',
    },
    requested: { from: 0x4d40a00, to: 0x4d40a00 + 2_000 },
    kind: 'too-many-results',
    suggested: { from: 0x4d40a00, to: 0x4d40a42 },
  },
  {
    provider: 'Alchemy (response size, 2020 wording)',
    source: 'bancorprotocol/webapp#523',
    error: { code: -32602, message: 'Log response size exceeded. Please reduce query block range.' },
    kind: 'too-many-results',
  },
  {
    provider: 'Infura (result cap with range)',
    // Format from ponder's "infura, zksync" rule and infura.test.ts; block numbers illustrative.
    source: 'ponder getLogsRetryHelper "infura, zksync" / infura.test.ts',
    error: {
      code: -32005,
      message: 'query returned more than 10000 results. Try with this block range [0x4D40A00, 0x4D40BF0].',
    },
    requested: { from: 0x4d40a00, to: 0x4d40a00 + 2_000 },
    kind: 'too-many-results',
    suggested: { from: 0x4d40a00, to: 0x4d40bf0 },
  },
  {
    provider: 'Infura (live range cap)',
    source: 'INFURA/infura#237',
    error: { code: -32602, message: 'range 1000000 exceeds limit of 10000' },
    kind: 'range-too-large',
    max: 10_000,
    suggested: { from: REQUESTED.from, to: REQUESTED.from + 9_999 },
  },
  {
    provider: 'Infura (query timeout)',
    source: 'Infura eth_getLogs constraints (MetaMask docs); rotki node_inquirer.py',
    error: { code: -32005, message: 'query timeout exceeded' },
    kind: 'too-many-results',
  },
  {
    provider: 'Infura (rate limit, with backoff)',
    source: 'status-im/status-app#14665; data fields per MetaMask/eth-json-rpc-infura#33',
    error: {
      code: -32005,
      message: 'project ID request rate exceeded',
      data: {
        see: 'https://infura.io/dashboard',
        current_rps: 13.333,
        allowed_rps: 10.0,
        backoff_seconds: 30.0,
      },
      httpStatus: 429,
    },
    kind: 'rate-limited',
    retryAfterMs: 30_000,
  },
  {
    provider: 'Infura (daily quota)',
    source: 'CirclesUBI/circles-myxogastria#54',
    error: { code: -32005, message: 'daily request count exceeded, request rate limited' },
    kind: 'rate-limited',
  },
  {
    provider: 'QuickNode (HTTP 413)',
    source: 'eternalsafe/wallet#57, OffchainLabs/arbitrum-sdk#609',
    error: { code: -32614, message: 'eth_getLogs is limited to a 10,000 range', httpStatus: 413 },
    kind: 'range-too-large',
    max: 10_000,
    suggested: { from: REQUESTED.from, to: REQUESTED.from + 9_999 },
  },
  {
    provider: 'QuickNode (older wording)',
    source: 'thirdweb-dev/js#275',
    error: { code: -32602, message: 'eth_getLogs and eth_newFilter are limited to a 10,000 blocks range' },
    kind: 'range-too-large',
    max: 10_000,
  },
  {
    provider: 'QuickNode (credits)',
    source: 'latticexyz/mud#1522',
    error: { code: -32012, message: 'credits limited to 6000/sec' },
    kind: 'rate-limited',
  },
  {
    provider: '1RPC',
    source: 'rotki node_inquirer.py ("seen in https://1rpc.io/gnosis")',
    error: { code: -32000, message: 'eth_getLogs is limited to a 1000 blocks range' },
    kind: 'range-too-large',
    max: 1_000,
  },
  {
    provider: 'Ankr (block range)',
    source: 'ponder getLogsRetryHelper "ankr"',
    error: { code: -32600, message: 'block range is too wide' },
    kind: 'range-too-large',
  },
  {
    provider: 'Ankr (blocks distance)',
    source: 'ponder-sh/ponder#1940',
    error: { code: -32602, message: 'maximum [from, to] blocks distance: 10000' },
    kind: 'range-too-large',
    max: 10_000,
  },
  {
    provider: 'Ankr / llamarpc (result cap)',
    source: 'ponder ankr.test.ts, llamarpc.test.ts',
    error: { code: -32602, message: 'query exceeds max results 20000' },
    kind: 'too-many-results',
  },
  {
    provider: 'Reth (Base node), result cap with range',
    source: 'base/base#2421',
    error: {
      code: -32602,
      message: 'query exceeds max results 20000, retry with the range 25766988-25775072',
    },
    // The node suggested exactly the range it was asked for (the bug in that issue).
    requested: { from: 25_766_988, to: 25_775_072 },
    kind: 'too-many-results',
    suggested: { from: 25_766_988, to: 25_775_072 },
  },
  {
    provider: 'Reth (range cap)',
    source: 'paradigmxyz/reth#8558',
    error: { code: -32602, message: 'query exceeds max block range 5000' },
    kind: 'range-too-large',
    max: 5_000,
  },
  {
    provider: 'dRPC (free tier)',
    source: 'quoted with code 35 in public indexer tests',
    error: { code: 35, message: 'ranges over 10000 blocks are not supported on freetier' },
    kind: 'range-too-large',
    max: 10_000,
  },
  {
    provider: 'publicnode',
    source: 'ponder publicnode.test.ts',
    error: { code: -32000, message: 'exceed maximum block range: 50000' },
    kind: 'range-too-large',
    max: 50_000,
  },
  {
    provider: 'BSC node (publicnode-style cap)',
    source: 'AlphaWallet/alpha-wallet-android#2736',
    error: { code: -32000, message: 'exceed maximum block range: 5000' },
    kind: 'range-too-large',
    max: 5_000,
  },
  {
    provider: 'Polygon PoS public RPC',
    source: 'AlphaWallet/alpha-wallet-ios#3733',
    error: { code: -32000, message: 'eth_getLogs block range too large, range: 99991, max: 3500' },
    kind: 'range-too-large',
    max: 3_500,
    suggested: { from: REQUESTED.from, to: REQUESTED.from + 3_499 },
  },
  {
    provider: 'Polygon zkEVM RPC',
    source: '0xPolygon/zkevm-node#3136',
    error: { code: -32602, message: 'logs are limited to a 10000 block range' },
    kind: 'range-too-large',
    max: 10_000,
  },
  {
    provider: 'Polygon cdk-erigon',
    source: '0xPolygon/cdk-erigon#1706',
    error: { code: -32005, message: 'block range too large, max range: 1000' },
    kind: 'range-too-large',
    max: 1_000,
  },
  {
    provider: 'Erigon (--rpc.blockrange.limit)',
    source: 'erigontech/erigon#19721',
    error: { code: -32000, message: 'query block range exceeds server limit, narrow your filter: 1000' },
    kind: 'range-too-large',
    max: 1_000,
  },
  {
    provider: 'Erigon (--rpc.logs.maxresults)',
    source: 'erigontech/erigon#19721',
    error: { code: -32000, message: 'query returns too many logs, narrow your filter: 20000' },
    kind: 'too-many-results',
  },
  {
    provider: 'geth (result cap, Aurora relayer)',
    source: 'aurora-is-near/aurora-relayer#327',
    error: { code: -32005, message: 'query returned more than 10000 results' },
    kind: 'too-many-results',
  },
  {
    provider: 'geth (request timeout)',
    source: 'ethereum/go-ethereum#27688',
    error: { code: -32002, message: 'request timed out' },
    kind: 'too-many-results',
  },
  {
    provider: 'geth (node behind the requested range)',
    source: 'ethereum/execution-apis tests/eth_getLogs/filter-error-future-block-range.io',
    error: { code: -32602, message: 'block range extends beyond current head block' },
    kind: 'retryable',
  },
  {
    provider: 'Tenderly (cap in data.payload)',
    source: 'bobanetwork/boba_legacy#827',
    error: {
      code: -32602,
      message: 'invalid params',
      data: {
        error_id: '4ed94073-0317-4648-a167-107fba5f44b3',
        payload: 'range 9009594 is bigger than range limit 2000',
      },
    },
    kind: 'range-too-large',
    max: 2_000,
  },
  {
    provider: 'Moonbeam / Frontier',
    source: 'moonbeam-foundation/moonbeam#3250',
    error: { code: -32603, message: 'block range is too wide (maximum 1024)' },
    kind: 'range-too-large',
    max: 1_024,
  },
  {
    provider: 'Morph (geth fork)',
    source: 'enviodev/hyperindex#605',
    error: {
      code: -32000,
      message: 'block range is larger than max block range, block range = 5120, max block range = 5000',
    },
    kind: 'range-too-large',
    max: 5_000,
  },
  {
    provider: 'Candle',
    source: 'AlphaWallet/alpha-wallet-ios#5277',
    error: { code: -32600, message: 'block range too high' },
    kind: 'range-too-large',
  },
  {
    provider: 'Scroll (geth fork)',
    source: 'scroll-tech/go-ethereum#529',
    error: { code: -32000, message: 'block range is bigger than maxBlockRange' },
    kind: 'range-too-large',
  },
  {
    provider: 'Alchemy (compute units)',
    source: 'gitcoinco/grants-stack-indexer#156',
    error: {
      code: 429,
      message:
        'Your app has exceeded its compute units per second capacity. If you have retries enabled, you can safely ignore this message. If not, check out https://docs.alchemy.com/reference/throughput',
      httpStatus: 429,
    },
    kind: 'rate-limited',
  },
  {
    provider: 'Alchemy (monthly quota)',
    source: 'xmtp/xmtpd#672',
    error: {
      code: -32600,
      message:
        'Monthly capacity limit exceeded. Visit https://dashboard.alchemyapi.io/settings/billing to upgrade your scaling policy for continued service.',
      httpStatus: 403,
    },
    kind: 'fatal',
  },
  {
    provider: 'Base (no healthy backend)',
    source: 'ponder getLogsRetryHelper "base"',
    error: { code: -32011, message: 'no backend is currently healthy to serve traffic' },
    kind: 'retryable',
  },
]

describe('classifyGetLogsError: real provider messages', () => {
  it.each(TABLE)('$provider ($source)', ({ error, requested, kind, suggested, max, retryAfterMs }) => {
    const result = classifyGetLogsError(error, requested ?? REQUESTED)
    expect(result.kind).toBe(kind)
    if (max !== undefined) expect(result.maxBlockRange).toBe(max)
    if (suggested !== undefined) expect(result.suggestedRange).toEqual(suggested)
    if (retryAfterMs !== undefined) expect(result.retryAfterMs).toBe(retryAfterMs)
  })

  it('gives the explicit suggestion unclipped when the request is not known', () => {
    const alchemy = TABLE[0] as Case
    expect(classifyGetLogsError(alchemy.error).suggestedRange).toEqual({ from: 0x123c9b2, to: 0x123cba5 })
    // A stated cap without the request gives the cap but no concrete range.
    const quicknode = classifyGetLogsError({
      code: -32614,
      message: 'eth_getLogs is limited to a 10,000 range',
    })
    expect(quicknode).toMatchObject({ kind: 'range-too-large', maxBlockRange: 10_000 })
    expect(quicknode.suggestedRange).toBeUndefined()
  })

  it('clips a suggestion to the requested range', () => {
    const result = classifyGetLogsError(
      { code: -32602, message: 'query exceeds max results 20000, retry with the range 100-900' },
      { from: 200, to: 500 },
    )
    expect(result.suggestedRange).toEqual({ from: 200, to: 500 })
  })

  it('derives a concrete range from a stated cap, never past the request', () => {
    const result = classifyGetLogsError(
      { code: -32000, message: 'exceed maximum block range: 5000' },
      { from: 10, to: 20 },
    )
    expect(result.suggestedRange).toEqual({ from: 10, to: 20 })
  })
})

describe('classifyGetLogsError: unknown messages', () => {
  it('treats HTTP 429 as a rate limit', () => {
    expect(classifyGetLogsError({ message: 'Too Many Requests', httpStatus: 429 }).kind).toBe('rate-limited')
    expect(classifyGetLogsError({ code: 12345, message: 'slow down', httpStatus: 429 }).kind).toBe(
      'rate-limited',
    )
  })
  it('treats 5xx, -32000 and -32603 as retryable', () => {
    expect(classifyGetLogsError({ message: 'Bad Gateway', httpStatus: 502 }).kind).toBe('retryable')
    expect(classifyGetLogsError({ code: -32000, message: 'something odd' }).kind).toBe('retryable')
    expect(classifyGetLogsError({ code: -32603, message: 'internal error' }).kind).toBe('retryable')
  })
  it('treats an invalid request as fatal', () => {
    expect(
      classifyGetLogsError({
        code: -32601,
        message: 'the method eth_getLogs does not exist/is not available',
      }).kind,
    ).toBe('fatal')
    expect(
      classifyGetLogsError({ code: -32602, message: 'invalid argument 0: hex string without 0x prefix' })
        .kind,
    ).toBe('fatal')
    expect(classifyGetLogsError({ message: 'Unauthorized', httpStatus: 401 }).kind).toBe('fatal')
  })
})
