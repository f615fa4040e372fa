-- wrk script for `make bench` (issue 7). Settings come from the environment:
--   BENCH_COOKIE  the Cookie header (session and CSRF cookies of the logged-in role)
--   BENCH_METHOD  GET (default) or POST
--   BENCH_BODY    a urlencoded form body for POST
--   BENCH_CSRF    the CSRF token, sent as X-CSRFToken
--   BENCH_EXPECT  the expected status (default 200); any other status counts as an error
--   BENCH_HEADERS more request headers, one "Name: value" a line (an API key's Authorization)
-- At the end it prints one line, "BENCH_JSON {...}", that qingdao_groups.bench.wrk parses.

wrk.method = os.getenv("BENCH_METHOD") or "GET"
wrk.headers["Cookie"] = os.getenv("BENCH_COOKIE") or ""
local body = os.getenv("BENCH_BODY") or ""
if body ~= "" then
  wrk.body = body
  wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
end
local csrf = os.getenv("BENCH_CSRF") or ""
if csrf ~= "" then
  wrk.headers["X-CSRFToken"] = csrf
end
for line in string.gmatch(os.getenv("BENCH_HEADERS") or "", "[^\n]+") do
  local name, value = string.match(line, "^([^:]+):%s*(.*)$")
  if name then
    wrk.headers[name] = value
  end
end
local expect = tonumber(os.getenv("BENCH_EXPECT") or "200")

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  unexpected = 0
end

function response(status, headers, body)
  if status ~= expect then
    unexpected = unexpected + 1
  end
end

function done(summary, latency, requests)
  local bad = 0
  for _, thread in ipairs(threads) do
    bad = bad + (thread:get("unexpected") or 0)
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"duration_us": %d, "requests": %d, "bytes": %d, ' ..
    '"p50_us": %d, "p95_us": %d, "p99_us": %d, "max_us": %d, ' ..
    '"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d, "unexpected": %d}\n',
    summary.duration, summary.requests, summary.bytes,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max,
    e.connect, e.read, e.write, e.status, e.timeout, bad))
end
