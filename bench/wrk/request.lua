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
-- WRK_PATH_LINES: one path per line (a GET page per registration number); each request
-- takes one at random.
local paths_file = os.getenv("WRK_PATH_LINES")
if paths_file and paths_file ~= "" then
  local paths = {}
  for line in io.lines(paths_file) do
    if #line > 0 then paths[#paths + 1] = line end
  end
  request = function()
    return wrk.format(nil, paths[math.random(#paths)])
  end
end
local extra = os.getenv("WRK_HEADERS") or ""
for pair in string.gmatch(extra, "[^|]+") do
  local k, v = string.match(pair, "^%s*([^:]+):%s*(.*)$")
  if k then wrk.headers[k] = v end
end

-- WRK_RATE: a steady rate (requests a second, for the one thread bench/run.py starts):
-- every request is given the next free slot of a fixed schedule, and a connection whose
-- answer came back waits for it. Unlike a fixed pause after each answer, the rate holds
-- whatever the latency, as long as there are connections enough for the requests in
-- flight (the soak's look-ups, without a Python load generator competing for the cores).
local rate = tonumber(os.getenv("WRK_RATE") or "")
if rate and rate > 0 then
  local ffi = require("ffi")
  ffi.cdef[[
    typedef struct { long tv_sec; long tv_nsec; } sijil_timespec;
    int clock_gettime(int clock, sijil_timespec *now);
  ]]
  local CLOCK_MONOTONIC = 1
  local now = ffi.new("sijil_timespec")
  local function now_ms()
    ffi.C.clock_gettime(CLOCK_MONOTONIC, now)
    return tonumber(now.tv_sec) * 1000 + tonumber(now.tv_nsec) / 1e6
  end
  local interval = 1000 / rate
  local last_slot = 0
  delay = function()
    local t = now_ms()
    local slot = last_slot + interval
    if slot < t then slot = t end  -- behind schedule: go now, never in a burst
    last_slot = slot
    return slot - t
  end
end

-- A 200 whose JSON carries "errors" is a failure too; the first one is kept to say why.
body_errors = 0
first_body_error = ""
response = function(status, headers, body)
  if status == 200 and body and string.find(body, '"errors":[{', 1, true) then
    body_errors = body_errors + 1
    if first_body_error == "" then first_body_error = string.sub(body, 1, 300) end
  end
end

local threads = {}
setup = function(thread) threads[#threads + 1] = thread end

done = function(summary, latency, requests)
  local e = summary.errors
  local bad, why = 0, ""
  for _, t in ipairs(threads) do
    bad = bad + (t:get("body_errors") or 0)
    if why == "" then why = t:get("first_body_error") or "" end
  end
  why = string.gsub(why, '[%c"\\]', " ")
  io.write(string.format(
    'WRKJSON {"requests":%d,"duration_us":%d,"bytes":%d,"errors_connect":%d,"errors_read":%d,' ..
    '"errors_write":%d,"errors_status":%d,"errors_timeout":%d,"errors_body":%d,' ..
    '"first_body_error":"%s","p50":%.1f,"p90":%.1f,' ..
    '"p95":%.1f,"p99":%.1f,"mean":%.1f,"max":%.1f}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status,
    e.timeout, bad, why, latency:percentile(50), latency:percentile(90), latency:percentile(95),
    latency:percentile(99), latency.mean, latency.max))
end
