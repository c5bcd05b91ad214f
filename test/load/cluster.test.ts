// Cluster DDL is rendered from the same templates as local DDL; no cluster is reachable here, so
// the rendering is pinned by a golden file. Regenerate after adding SQL with UPDATE_GOLDEN=1.
import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { renderSql, splitStatements } from '../../load/sql-text.ts'
import { runCli } from '../helpers/cli.ts'

const GOLDEN = path.join(import.meta.dirname, 'golden/migrate-cluster-analytics.sql')

describe('cluster rendering', () => {
  it('prints every table, view and the ledger with ON CLUSTER and Replicated engines (golden file)', async () => {
    const result = await runCli(['migrate', '--cluster', 'analytics', '--dry-run'])
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    if (process.env.UPDATE_GOLDEN) fs.writeFileSync(GOLDEN, result.stdout)
    expect(result.stdout).toBe(fs.readFileSync(GOLDEN, 'utf8'))
    const creates =
      result.stdout.match(
        /^(CREATE (TABLE|OR REPLACE VIEW|MATERIALIZED VIEW|DICTIONARY|OR REPLACE DICTIONARY)|ALTER TABLE|DROP (VIEW|TABLE)|EXCHANGE TABLES) /gm,
      ) ?? []
    const onCluster = result.stdout.match(/ ON CLUSTER 'analytics'/g) ?? []
    expect(creates.length).toBeGreaterThan(13)
    expect(onCluster.length).toBe(creates.length)
    expect(result.stdout).not.toMatch(/ENGINE = (Replacing)?MergeTree/)
    expect(result.stdout).not.toMatch(/non_replicated_deduplication_window|\{\{/)
  })

  it('renders the same template locally without cluster clauses', () => {
    const template =
      'CREATE TABLE IF NOT EXISTS t {{on_cluster}} (id UInt8) ENGINE = {{engine:ReplacingMergeTree(v)}} ORDER BY id SETTINGS {{dedup_window}}'
    expect(renderSql(template, {})).toBe(
      'CREATE TABLE IF NOT EXISTS t  (id UInt8) ENGINE = ReplacingMergeTree(v) ORDER BY id SETTINGS non_replicated_deduplication_window = 10000',
    )
    expect(renderSql(template, { cluster: 'c1' })).toBe(
      "CREATE TABLE IF NOT EXISTS t ON CLUSTER 'c1' (id UInt8) ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/{database}/t', '{replica}', v) ORDER BY id SETTINGS replicated_deduplication_window = 10000",
    )
  })

  it('splits statements on semicolons outside strings and comments', () => {
    const sql = "-- a; comment\nSELECT 'a;b';\n/* c; */ SELECT `x;y` FROM t;\n\n-- trailing comment only\n"
    expect(splitStatements(sql)).toEqual(["-- a; comment\nSELECT 'a;b'", '/* c; */ SELECT `x;y` FROM t'])
  })

  it('names an unknown placeholder', () => {
    expect(() => renderSql('CREATE TABLE t {{on_clstr}}', {})).toThrow(/unknown placeholder \{\{on_clstr\}\}/)
  })
})
