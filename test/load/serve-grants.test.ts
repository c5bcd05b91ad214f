// `polyhouse grants --print`: the analyst role DDL for ClickHouse servers, pinned by golden files
// (regenerate with UPDATE_GOLDEN=1), parsed by the real engine, and every setting it constrains
// known to that engine. chDB itself has no writable access storage, so the statements cannot run
// here: executing them gets as far as the privilege check (ACCESS_DENIED / UNKNOWN_ROLE), never a
// syntax error.
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { splitStatements } from '../../load/sql-text.ts'
import type { Warehouse } from '../../load/warehouse.ts'
import { runCli } from '../helpers/cli.ts'
import { openTempWarehouse } from '../helpers/warehouse.ts'

const GOLDEN_DIR = path.join(import.meta.dirname, 'golden')

let warehouse: Warehouse

beforeAll(async () => {
  warehouse = await openTempWarehouse()
})

afterAll(async () => {
  await warehouse?.close()
})

async function printed(args: string[], env: NodeJS.ProcessEnv, golden: string): Promise<string> {
  const result = await runCli(['grants', '--print', ...args], env)
  expect(result.stderr).toBe('')
  expect(result.code).toBe(0)
  const file = path.join(GOLDEN_DIR, golden)
  if (process.env.UPDATE_GOLDEN) fs.writeFileSync(file, result.stdout)
  expect(result.stdout).toBe(fs.readFileSync(file, 'utf8'))
  return result.stdout
}

describe('polyhouse grants --print', () => {
  it('prints a read-only analyst role, profile and quota (golden file)', async () => {
    const ddl = await printed([], {}, 'grants.sql')
    expect(ddl).toMatch(/readonly = 2 CONST/)
    expect(ddl).toMatch(/max_execution_time = 120 MIN 1 MAX 120/)
    expect(ddl).not.toMatch(/CREATE USER/)
  })

  it('adds ON CLUSTER, the database, and a user whose password appears only hashed (golden file)', async () => {
    const password = 'analyst password'
    const ddl = await printed(
      [
        '--cluster',
        'analytics',
        '--database',
        'polymarket',
        '--user',
        'alice@example.com',
        '--max-execution-time',
        '300',
      ],
      { POLYHOUSE_ANALYST_PASSWORD: password },
      'grants-cluster-user.sql',
    )
    expect(ddl).not.toContain(password)
    expect(ddl).toMatch(
      /CREATE USER IF NOT EXISTS `alice@example\.com` ON CLUSTER 'analytics' IDENTIFIED WITH sha256_hash BY '[0-9a-f]{64}'/,
    )
    expect(ddl.match(/ ON CLUSTER 'analytics'/g)).toHaveLength(11)
    const refused = await runCli(['grants', '--print', '--user', 'alice'])
    expect(refused.code).toBe(2)
    expect(refused.stderr).toMatch(/--user alice needs a password; set POLYHOUSE_ANALYST_PASSWORD/)
  })

  it('prints statements the engine parses, constraining settings the engine knows', async () => {
    const result = await runCli(['--cluster', 'analytics', 'grants', '--print', '--user', 'alice'], {
      POLYHOUSE_ANALYST_PASSWORD: 'pw',
    })
    const statements = splitStatements(result.stdout)
    expect(statements.length).toBeGreaterThanOrEqual(10)
    for (const statement of statements) {
      const [parsed] = await warehouse.query<{ text: string }>(
        'SELECT formatQuerySingleLine({sql:String}) AS text',
        {
          sql: statement,
        },
      )
      expect(parsed?.text, statement).toMatch(/^(CREATE|GRANT|ALTER) /)
      const failure = await warehouse.command(statement.replaceAll(" ON CLUSTER 'analytics'", '')).then(
        () => undefined,
        (error: Error) => error,
      )
      // Runs, or stops at chDB's missing access storage — never at the parser.
      if (failure)
        expect(failure.message, statement).toMatch(
          /Not enough privileges|There is no role|ACCESS_DENIED|UNKNOWN_ROLE/,
        )
    }
    const constrained = [...result.stdout.matchAll(/^ {4}(\w+) = /gm)].map((match) => match[1] as string)
    const known = await warehouse.query<{ name: string }>(
      'SELECT name FROM system.settings WHERE name IN {names:Array(String)}',
      {
        names: constrained,
      },
    )
    expect(known.map((row) => row.name).sort()).toEqual([...constrained].sort())
  })

  it('only prints: without --print it says how to apply the DDL', async () => {
    const result = await runCli(['grants'])
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(/only prints the DDL; run `polyhouse grants --print`/)
  })
})
