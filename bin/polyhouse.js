#!/usr/bin/env node
// CommonJS (bin/package.json), so that this line runs before anything starts libuv's thread pool,
// which reads UV_THREADPOOL_SIZE once, when it starts (an ES module entry is itself read on the
// pool, too late to size it). chDB runs every query on one of those threads until it answers, and
// the writer's inserts, file writes and gunzip share them: Node's 4 let four slow queries stop
// everything else. 16 leave `serve` 4 analyst slots beside the writer's (load/serve/lanes.ts).
process.env.UV_THREADPOOL_SIZE ??= '16'

// The rest is an ES module: the compiled CLI when it is fresh, else the sources (bin/start.mjs).
import('./start.mjs')
