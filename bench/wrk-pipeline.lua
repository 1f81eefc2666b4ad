-- wrk script: pipelines N requests per write (N = WRK_PIPELINE env, default 16), like TechEmpower's
-- plaintext test; prints one JSON line at the end (latencies in microseconds, per response).
local depth = tonumber(os.getenv("WRK_PIPELINE") or "16")
local path = os.getenv("WRK_PATH") or "/plaintext"

init = function(args)
  local r = {}
  for i = 1, depth do
    r[i] = wrk.format("GET", path)
  end
  req = table.concat(r)
end

request = function()
  return req
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests":%d,"duration_us":%d,"p50_us":%.1f,"p99_us":%.1f,"p999_us":%.1f,"max_us":%.1f,'
    .. '"errors":%d,"non2xx":%d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    latency:percentile(99.9), latency.max, e.connect + e.read + e.write + e.timeout, e.status))
end
