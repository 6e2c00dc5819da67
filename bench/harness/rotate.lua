-- wrk script: POSTs the JSON bodies of a file (one per line) in rotation, each thread from its own offset.
-- done() prints one line "WRK-RESULT {json}" with the totals and latency percentiles in microseconds.
local threads = 0

function setup(thread)
  thread:set("thread_index", threads)
  threads = threads + 1
end

local bodies, n, next = {}, 0, 0

function init(args)
  for line in io.lines(args[1]) do
    n = n + 1
    bodies[n] = line
  end
  next = (thread_index * 997) % n
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
end

function request()
  next = next % n + 1
  return wrk.format(nil, nil, nil, bodies[next])
end

function done(summary, latency, requests)
  local e, p, any = summary.errors, {}, summary.requests > 0
  for _, q in ipairs({50, 90, 95, 99, 99.9}) do
    p[#p + 1] = string.format('"%s":%d', q, any and latency:percentile(q) or 0)
  end
  io.write(string.format(
    'WRK-RESULT {"duration_us":%d,"requests":%d,"bytes":%d,' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
    '"latency_us":{"min":%d,"mean":%.1f,"max":%d,"percentiles":{%s}}}\n',
    summary.duration, summary.requests, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    any and latency.min or 0, any and latency.mean or 0, any and latency.max or 0, table.concat(p, ",")))
end
