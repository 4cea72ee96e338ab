// Differential-test harness: reads one JSON case per line on stdin,
// {"id": N, "mode": "Strict"|"Discovery", "sim": <simulation input>},
// decides it with @cloud-copilot/iam-simulate and writes one JSON line per
// case: {"id": N, "result": "Allowed"|"ImplicitlyDenied"|"ExplicitlyDenied"}
// or {"id": N, "error": "..."} when iam-simulate rejects the input.
// In Discovery mode, "known" lists the context keys whose presence and value
// are known (the rest are unknown), as iamreach's discovery mode assumes.
// Run by policy/difftest_test.go; never linked into iamreach.
import { createInterface } from 'node:readline'
import { runSimulation } from '@cloud-copilot/iam-simulate'

const rl = createInterface({ input: process.stdin, crlfDelay: Infinity })
const out = []
const flush = () => {
  if (out.length > 0) {
    process.stdout.write(out.join(''))
    out.length = 0
  }
}
for await (const line of rl) {
  if (line.trim() === '') {
    flush()
    continue
  }
  let id = null
  try {
    const c = JSON.parse(line)
    id = c.id
    const options = { simulationMode: c.mode || 'Strict' }
    if (Array.isArray(c.known)) {
      options.discoveryContextKeyConstraints = c.known.map((keyName) => ({ keyName, presenceIsKnown: true, valueIsKnown: true }))
    }
    const r = await runSimulation(c.sim, options)
    if (r.resultType === 'error') {
      out.push(JSON.stringify({ id, error: JSON.stringify(r.errors) }) + '\n')
    } else {
      const res = { id, result: r.overallResult }
      if (r.resultType === 'single' && r.result?.analysis?.conditions) {
        res.conditions = r.result.analysis.conditions
      }
      out.push(JSON.stringify(res) + '\n')
    }
  } catch (e) {
    out.push(JSON.stringify({ id, error: 'exception: ' + (e && e.message ? e.message : String(e)) }) + '\n')
  }
  if (out.length >= 256) flush()
}
flush()
