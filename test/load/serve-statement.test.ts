// inspectStatement reads the engine's rendering of a statement: a table of real renderings, then
// the engine rendering tricky inputs (comments, escapes, quoting) before the same checks.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { infileClauseAt, inspectStatement } from '../../load/serve/statement.ts'
import type { Warehouse } from '../../load/warehouse.ts'
import { openTempWarehouse } from '../helpers/warehouse.ts'

describe('inspectStatement on formatQuerySingleLine output', () => {
  // Left: what chDB 26.7's formatQuerySingleLine printed. Right: what serve must conclude.
  const cases: [string, { kind: string; outputFormat?: string; hostFileAccess?: string }][] = [
    ['SELECT 1', { kind: 'SELECT' }],
    ['SELECT 1 FORMAT JSON SETTINGS max_threads = 1', { kind: 'SELECT', outputFormat: 'JSON' }],
    ['SELECT 1 SETTINGS max_threads = 1 FORMAT JSON', { kind: 'SELECT', outputFormat: 'JSON' }],
    ['SELECT 1 FORMAT jsoneachrow', { kind: 'SELECT', outputFormat: 'jsoneachrow' }],
    ['SELECT 1 FORMAT `Null`', { kind: 'SELECT', outputFormat: 'Null' }],
    ['SELECT 1 UNION ALL SELECT 2 FORMAT CSV', { kind: 'SELECT', outputFormat: 'CSV' }],
    ['WITH 1 AS x SELECT x FORMAT Native', { kind: 'WITH', outputFormat: 'Native' }],
    ['SELECT format FROM (SELECT 1 AS format)', { kind: 'SELECT' }],
    ["SELECT 'x FORMAT JSON'", { kind: 'SELECT' }],
    ['SHOW TABLES FORMAT JSON', { kind: 'SHOW', outputFormat: 'JSON' }],
    ['INSERT INTO t FORMAT CSV', { kind: 'INSERT' }],
    ["SELECT file('/etc/hostname') AS f, 'file(' AS s", { kind: 'SELECT', hostFileAccess: 'file()' }],
    ["SELECT * FROM fileCluster('c', '/etc/*')", { kind: 'SELECT', hostFileAccess: 'fileCluster()' }],
    ["SELECT 'file(x)', x.file FROM t AS x", { kind: 'SELECT' }],
    ['WITH file AS (SELECT 1) SELECT * FROM file', { kind: 'WITH' }],
    ["SELECT 1 INTO OUTFILE 'z'", { kind: 'SELECT', hostFileAccess: 'INTO OUTFILE' }],
    [
      "INSERT INTO t FROM INFILE '/etc/hostname' FORMAT CSV",
      { kind: 'INSERT', hostFileAccess: 'FROM INFILE' },
    ],
    ["SELECT 'INTO OUTFILE'", { kind: 'SELECT' }],
    ['KILL QUERY WHERE 1 ASYNC', { kind: 'KILL' }],
    ["SELECT 'it\\'s', `a\\`b`('x')", { kind: 'SELECT' }],
  ]
  for (const [canonical, expected] of cases) {
    it(canonical, () => {
      expect(inspectStatement(canonical)).toEqual({
        outputFormat: undefined,
        hostFileAccess: undefined,
        ...expected,
      })
    })
  }
})

describe('inspectStatement on what the engine renders from tricky input', () => {
  let warehouse: Warehouse
  beforeAll(async () => {
    warehouse = await openTempWarehouse()
  })
  afterAll(async () => {
    await warehouse?.close()
  })

  const rendered = async (sql: string) => {
    const [row] = await warehouse.query<{ text: string }>(
      'SELECT formatQuerySingleLine({sql:String}) AS text',
      { sql },
    )
    return inspectStatement(row?.text ?? '')
  }

  it('sees file() through escapes, quoting and comments', async () => {
    for (const sql of [
      "SELECT `fil\\x65`('/etc/hostname')",
      'SELECT "file"(\'/etc/hostname\')',
      "SELECT file /* a comment */ ('/etc/hostname')",
      "SELECT\n  file\n  (\n '/etc/hostname')",
    ]) {
      expect((await rendered(sql)).hostFileAccess, sql).toBe('file()')
    }
  })

  it('sees INTO OUTFILE across a comment and a line break, and the FORMAT after it', async () => {
    expect(await rendered("SELECT 1 -- note\n INTO /* x */ OUTFILE 'z' FORMAT CSV")).toEqual({
      kind: 'SELECT',
      outputFormat: 'CSV',
      hostFileAccess: 'INTO OUTFILE',
    })
  })

  it('places FROM INFILE in an INSERT whose rows follow it, and in nothing else', async () => {
    const canonical = async (sql: string) => {
      const [row] = await warehouse.query<{ text: string }>(
        'SELECT formatQuerySingleLine({sql:String}) AS text',
        { sql },
      )
      return row?.text ?? ''
    }
    const withInfile = async (sql: string) => {
      const text = await canonical(sql)
      const at = infileClauseAt(text)
      return at === undefined ? undefined : `${text.slice(0, at)}FROM INFILE 'f' ${text.slice(at)}`
    }
    expect(await withInfile('insert into t format RowBinary')).toBe(
      "INSERT INTO t FROM INFILE 'f' FORMAT RowBinary",
    )
    expect(await withInfile("INSERT INTO db.t (a, `b c`) SETTINGS x = 'SETTINGS' FORMAT TSV")).toBe(
      "INSERT INTO db.t (a, `b c`) FROM INFILE 'f' SETTINGS x = 'SETTINGS' FORMAT TSV",
    )
    // Columns named like keywords: inside the parentheses, and not upper-cased by the rendering.
    expect(await withInfile('INSERT INTO t (`settings`, `select`) FORMAT TSV')).toBe(
      "INSERT INTO t (settings, `select`) FROM INFILE 'f' FORMAT TSV",
    )
    // VALUES with its rows to follow is rendered as FORMAT Values: the rows can come from a file too.
    expect(await withInfile('INSERT INTO t VALUES')).toBe("INSERT INTO t FROM INFILE 'f' FORMAT Values")
    for (const sql of [
      'INSERT INTO t SELECT 1',
      'INSERT INTO t SELECT * FROM s FORMAT TSV',
      "INSERT INTO t FROM INFILE '/etc/hostname' FORMAT TSV",
      'SELECT 1 FORMAT TSV',
    ]) {
      const text = await canonical(sql).catch(() => '')
      expect(infileClauseAt(text), sql).toBeUndefined()
    }
  })
})
