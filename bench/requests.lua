-- wrk script of `python -m bench.scim_million` and `python -m bench.orgs_scale`: each
-- request is one of the lines of BENCH_PATHS (a file, chosen at random per request).
-- BENCH_METHOD GET (default): a line is a request path. BENCH_METHOD POST: a line is a
-- form body, posted to the URL's path. BENCH_AUTH is the Authorization header and
-- BENCH_ACCEPT the Accept header (when set). Prints one machine-readable summary line
-- (BENCH_RESULT {json}).
local lines = {}
for line in io.lines(os.getenv("BENCH_PATHS")) do
  lines[#lines + 1] = line
end
local method = os.getenv("BENCH_METHOD") or "GET"
wrk.headers["Authorization"] = os.getenv("BENCH_AUTH")
local accept = os.getenv("BENCH_ACCEPT")
if accept ~= nil and accept ~= "" then
  wrk.headers["Accept"] = accept
end
if method == "POST" then
  wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
end

function request()
  local line = lines[math.random(#lines)]
  if method == "POST" then
    return wrk.format("POST", nil, nil, line)
  end
  return wrk.format("GET", line)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_RESULT {"requests":%d,"duration_us":%d,"bytes":%d,' ..
    '"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d,' ..
    '"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d,"mean_us":%.1f}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.max, latency.mean))
end
