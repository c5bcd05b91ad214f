// The chain step's settings: defaults from public facts, flags over environment, and messages
// that name the setting and the fix.
import { describe, expect, it } from 'vitest'
import { UsageError } from '../../../core/errors.ts'
import { DEFAULT_CONFIRMATIONS_POLYGON, V1_DEPLOYMENT_BLOCK } from '../../../extract/chain/contracts.ts'
import { RPC_LIMIT } from '../../../extract/http/rates.ts'
import { resolveChainOptions } from '../../../steps/chain/index.ts'

const env = { POLYGON_RPC_URL: 'https://polygon.example/v2/KEY' }

function usage(run: () => unknown): string {
  try {
    run()
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError)
    return (error as UsageError).userMessage()
  }
  throw new Error('expected a UsageError')
}

describe('chain options', () => {
  it('defaults to the V1 deployment block, 32 confirmations, one shard and the rpc rate limit', () => {
    expect(resolveChainOptions({}, env)).toEqual({
      rpcUrls: [env.POLYGON_RPC_URL],
      fromBlock: V1_DEPLOYMENT_BLOCK,
      confirmations: DEFAULT_CONFIRMATIONS_POLYGON,
      shard: { index: 1, count: 1 },
      rpcRate: RPC_LIMIT,
    })
  })

  it('takes flags over the environment, numbers as text, and the rpc part of --rate', () => {
    const options = resolveChainOptions(
      {
        rpcUrl: 'http://127.0.0.1:8545',
        fromBlock: '40_000_000',
        toBlock: '41000000',
        confirmations: '0',
        shard: '2/4',
        rate: 'gamma=10/s,rpc=25/s',
      },
      { ...env, POLYHOUSE_RATE: 'rpc=1/s' },
    )
    expect(options).toMatchObject({
      rpcUrls: ['http://127.0.0.1:8545'],
      fromBlock: 40_000_000,
      toBlock: 41_000_000,
      confirmations: 0,
      shard: { index: 2, count: 4 },
      rpcRate: { count: 25, windowMs: 1_000 },
    })
    expect(resolveChainOptions({}, { ...env, POLYHOUSE_RATE: 'rpc=300/10s' }).rpcRate).toEqual({
      count: 300,
      windowMs: 10_000,
    })
  })

  it('takes several endpoints: --rpc-url repeated, or POLYGON_RPC_URL and POLYGON_RPC_URLS', () => {
    const urls = ['http://127.0.0.1:8545', 'https://polygon.example/v2/KEY2', 'https://other.example/KEY3']
    expect(resolveChainOptions({ rpcUrl: urls }, env).rpcUrls).toEqual(urls)
    expect(
      resolveChainOptions(
        {},
        { ...env, POLYGON_RPC_URLS: ` ${urls[1]},, ${urls[2]} ,${env.POLYGON_RPC_URL}` },
      ).rpcUrls,
    ).toEqual([env.POLYGON_RPC_URL, urls[1], urls[2]])
    expect(resolveChainOptions({}, { POLYGON_RPC_URLS: urls.join(',') }).rpcUrls).toEqual(urls)
    expect(resolveChainOptions({ rpcUrl: [] }, { POLYGON_RPC_URLS: urls[0] }).rpcUrls).toEqual([urls[0]])
    expect(usage(() => resolveChainOptions({}, { POLYGON_RPC_URLS: ' , ' }))).toMatch(
      /POLYGON_RPC_URL is not set.*POLYGON_RPC_URLS/,
    )
    expect(
      usage(() => resolveChainOptions({}, { POLYGON_RPC_URLS: `${urls[0]},polygon.example/v2/SECRETKEY` })),
    ).toMatch(/not an http\(s\) URL: got 'polygon.example\/…'/)
  })

  it('says what is wrong and what to do', () => {
    expect(usage(() => resolveChainOptions({}, {}))).toMatch(/POLYGON_RPC_URL is not set.*--rpc-url/)
    expect(usage(() => resolveChainOptions({ rpcUrl: 'polygon-rpc.com' }, {}))).toMatch(
      /not an http\(s\) URL.*try https:/,
    )
    expect(usage(() => resolveChainOptions({ fromBlock: 'latest' }, env))).toMatch(
      /--from-block must be a whole number ≥ 0: got 'latest'/,
    )
    expect(usage(() => resolveChainOptions({ fromBlock: '10', toBlock: '5' }, env))).toMatch(
      /--to-block 5 is below --from-block 10/,
    )
    expect(usage(() => resolveChainOptions({ shard: '3/2' }, env))).toMatch(/--shard must be i\/n/)
    expect(usage(() => resolveChainOptions({ rate: 'rpc=fast' }, env))).toMatch(/--rate rpc=fast/)
    expect(usage(() => resolveChainOptions({ confirmations: '-1' }, env))).toMatch(
      /--confirmations must be a whole number/,
    )
  })

  it('never prints the key in a URL it refuses', () => {
    expect(usage(() => resolveChainOptions({ rpcUrl: 'ftp://user:secret@host/key' }, {}))).not.toMatch(
      /secret/,
    )
  })
})
