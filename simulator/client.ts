// Small fetch helpers for the simulator's tests and benches.

export interface Reply {
  status: number
  headers: Headers
  text: string
  json: unknown
}

export async function get(
  base: string,
  path: string,
  params: Record<string, string | number | boolean | undefined> = {},
): Promise<Reply> {
  const url = new URL(path, base)
  for (const [key, value] of Object.entries(params))
    if (value !== undefined) url.searchParams.set(key, String(value))
  const response = await fetch(url)
  const text = await response.text()
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    json = undefined
  }
  return { status: response.status, headers: response.headers, text, json }
}

let rpcId = 0

export interface RpcReply {
  result?: unknown
  error?: { code: number; message: string; data?: unknown }
}

export async function rpc(url: string, method: string, params: unknown[] = []): Promise<RpcReply> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: ++rpcId, method, params }),
  })
  return (await response.json()) as RpcReply
}

export const hex = (n: number) => `0x${n.toString(16)}`
