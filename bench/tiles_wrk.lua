-- bench_tiles: wrk picks tile paths from a fixed list (one per line in $BENCH_URLS),
-- each connection starting at a different offset; Accept-Encoding: gzip like a browser.
local paths = {}
for line in io.lines(os.getenv("BENCH_URLS")) do paths[#paths + 1] = line end
local counter = 0
local headers = { ["Accept-Encoding"] = "gzip" }

function setup(thread)
  counter = counter + 1
  thread:set("offset", counter * 97)
end

local i = nil
function request()
  if i == nil then i = (offset or 0) % #paths end
  i = i % #paths + 1
  return wrk.format("GET", paths[i], headers)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %d %d %d %d %d %d\n", summary.requests, summary.duration,
    e.status, e.connect + e.read + e.write + e.timeout, latency:percentile(50),
    latency:percentile(99)))
end
