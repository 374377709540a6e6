-- A request from the environment: WRK_METHOD, WRK_BODY_FILE, WRK_HEADERS ("k: v|k: v").
-- done() prints one line "WRKJSON {...}" with latencies in microseconds.
wrk.method = os.getenv("WRK_METHOD") or "GET"
local body_file = os.getenv("WRK_BODY_FILE")
if body_file and body_file ~= "" then
  local f = assert(io.open(body_file, "rb"))
  wrk.body = f:read("*a")
  f:close()
  wrk.headers["Content-Type"] = "application/json"
end
-- WRK_BODY_LINES: one body per line; each request takes one at random.
local lines_file = os.getenv("WRK_BODY_LINES")
local bodies = nil
if lines_file and lines_file ~= "" then
  bodies = {}
  for line in io.lines(lines_file) do
    if #line > 0 then bodies[#bodies + 1] = line end
  end
  wrk.headers["Content-Type"] = "application/json"
  request = function()
    return wrk.format(nil, nil, nil, bodies[math.random(#bodies)])
  end
end
local extra = os.getenv("WRK_HEADERS") or ""
for pair in string.gmatch(extra, "[^|]+") do
  local k, v = string.match(pair, "^%s*([^:]+):%s*(.*)$")
  if k then wrk.headers[k] = v end
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests":%d,"duration_us":%d,"bytes":%d,"errors_connect":%d,"errors_read":%d,' ..
    '"errors_write":%d,"errors_status":%d,"errors_timeout":%d,"p50":%.1f,"p90":%.1f,' ..
    '"p95":%.1f,"p99":%.1f,"mean":%.1f,"max":%.1f}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status,
    e.timeout, latency:percentile(50), latency:percentile(90), latency:percentile(95),
    latency:percentile(99), latency.mean, latency.max))
end
