-- wrk script: counts responses by status class across all threads.
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  ok, r429, r4xx, r5xx, other = 0, 0, 0, 0, 0
end

function response(status, headers, body)
  if status == 200 then ok = ok + 1
  elseif status == 429 then r429 = r429 + 1
  elseif status >= 500 then r5xx = r5xx + 1
  elseif status >= 400 then r4xx = r4xx + 1
  else other = other + 1 end
end

function done(summary, latency, requests)
  local t = { ok = 0, r429 = 0, r4xx = 0, r5xx = 0, other = 0 }
  for _, thread in ipairs(threads) do
    for k, _ in pairs(t) do t[k] = t[k] + thread:get(k) end
  end
  io.write(string.format(
    "STATUS 200=%d 429=%d other4xx=%d 5xx=%d other=%d socket_errors=%d p50_ms=%.1f p99_ms=%.1f\n",
    t.ok, t.r429, t.r4xx, t.r5xx, t.other,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
