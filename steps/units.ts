// Running a step's independent units (partitions, block ranges, wallets) concurrently. A unit that
// fails after its retries is the step's business (logged, left not-done); an error that escapes a
// unit means the step cannot go on (the warehouse refused, the source is down): no new unit starts,
// the ones in flight are told to stop, and the first such error is rethrown once they have.
import PQueue from 'p-queue'

export async function runUnits<T>(
  items: Iterable<T>,
  options: { concurrency: number; signal: AbortSignal },
  work: (item: T, signal: AbortSignal) => Promise<void>,
): Promise<void> {
  const stop = new AbortController()
  const forward = () => stop.abort(options.signal.reason)
  if (options.signal.aborted) forward()
  else options.signal.addEventListener('abort', forward, { once: true })
  const queue = new PQueue({ concurrency: options.concurrency })
  let failure: { error: unknown } | undefined
  for (const item of items) {
    queue.add(async () => {
      if (stop.signal.aborted) return
      try {
        await work(item, stop.signal)
      } catch (error) {
        failure ??= { error }
        queue.clear()
        stop.abort(error)
      }
    })
  }
  try {
    await queue.onIdle()
  } finally {
    options.signal.removeEventListener('abort', forward)
  }
  if (failure) throw failure.error
}
