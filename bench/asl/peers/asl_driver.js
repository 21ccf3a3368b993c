#!/usr/bin/env node
// One long-lived Node process that times the npm ASL validators for bench/asl_peers.py.
// Protocol: one JSON request per stdin line, one JSON reply per stdout line.
//   {"op": "load", "set": NAME, "texts": [definition text, ...]}
//   {"op": "run", "tool": "asl-validator"|"statelint", "set": NAME, "min_time": s, "max_time": s}
//        -> whole passes over the set until min_time has elapsed (or a sample when one pass would pass
//           max_time); each definition is JSON.parse'd and validated (what a validator of files does);
//           replies with validated, passes, seconds, per_second, invalid, sampled.
//   {"op": "once", "tool": ..., "set": NAME}  -> one pass (for pytest-benchmark's own timing)
//   {"op": "quit"}
// Packages are resolved from bench/asl/.peers/ (see bench/asl/install_peers.sh).
"use strict";
const path = require("path");
const readline = require("readline");
const { createRequire } = require("module");

const peersRequire = createRequire(path.join(__dirname, "..", ".peers", "package.json"));
const tools = {};
try {
  const aslValidator = peersRequire("asl-validator");
  tools["asl-validator"] = (definition) => aslValidator(definition).isValid;
} catch (err) {
  tools["asl-validator"] = null;
}
try {
  const { StateLint } = peersRequire("@wmfs/statelint");
  const linter = new StateLint();
  tools["statelint"] = (definition) => linter.validate(definition).length === 0;
} catch (err) {
  tools["statelint"] = null;
}

const sets = {};

function pass(check, texts) {
  let invalid = 0;
  for (const text of texts) {
    let ok;
    try {
      ok = check(JSON.parse(text));
    } catch (err) {
      ok = false; // a crash on a definition counts as a rejection
    }
    if (!ok) invalid += 1;
  }
  return invalid;
}

function handle(req) {
  if (req.op === "load") {
    sets[req.set] = req.texts;
    return { ok: true, count: req.texts.length };
  }
  if (req.op === "tools") {
    return { ok: true, tools: Object.keys(tools).filter((t) => tools[t] !== null) };
  }
  const check = tools[req.tool];
  if (!check) return { ok: false, error: `tool not installed: ${req.tool}` };
  const texts = sets[req.set];
  if (!texts) return { ok: false, error: `unknown set: ${req.set}` };
  if (req.op === "once") {
    const t0 = process.hrtime.bigint();
    const invalid = pass(check, texts);
    return { ok: true, seconds: Number(process.hrtime.bigint() - t0) / 1e9, invalid };
  }
  if (req.op === "run") {
    // Whole passes until min_time; a tool too slow for one pass within max_time is sampled: it stops
    // mid-pass and its rate is the definitions done over the time taken.
    const minNs = BigInt(Math.round((req.min_time || 1) * 1e9));
    const maxNs = req.max_time ? BigInt(Math.round(req.max_time * 1e9)) : null;
    pass(check, texts.slice(0, 3)); // warm-up: JIT and lazily built schemas
    let passes = 0;
    let done = 0;
    let invalid = 0;
    let sampled = false;
    const t0 = process.hrtime.bigint();
    let elapsed = 0n;
    outer: while (passes === 0 || elapsed < minNs) {
      invalid = 0;
      for (const text of texts) {
        invalid += pass(check, [text]);
        done += 1;
        if (maxNs !== null && process.hrtime.bigint() - t0 > maxNs) {
          sampled = passes === 0;
          elapsed = process.hrtime.bigint() - t0;
          break outer;
        }
      }
      passes += 1;
      elapsed = process.hrtime.bigint() - t0;
    }
    const seconds = Number(elapsed) / 1e9;
    return {
      ok: true,
      tool: req.tool,
      defs: texts.length,
      validated: done,
      passes,
      seconds,
      per_second: done / seconds,
      invalid: sampled ? null : invalid,
      sampled,
    };
  }
  return { ok: false, error: `unknown op: ${req.op}` };
}

const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
rl.on("line", (line) => {
  if (!line.trim()) return;
  let reply;
  try {
    const req = JSON.parse(line);
    if (req.op === "quit") {
      rl.close();
      return;
    }
    reply = handle(req);
  } catch (err) {
    reply = { ok: false, error: String(err) };
  }
  process.stdout.write(JSON.stringify(reply) + "\n");
});
rl.on("close", () => process.exit(0));
