-- wrk script for the enforcement-point benchmarks (bench/enforcement/wrk.ts): counts every response
-- by status code (wrk's own "Non-2xx or 3xx" counter only counts status > 399, so a 302 to a login
-- page would pass unnoticed) and prints one machine-readable line at the end:
--   WRK_JSON {"requests":…,"durationMicros":…,"p50Micros":…,"p99Micros":…,"statuses":{"200":…},"errors":{…}}
-- Each wrk thread has its own Lua state: counts live per thread and are summed in done().

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  statuses = {}
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local counts = {}
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("statuses")) do
      counts[status] = (counts[status] or 0) + count
    end
  end
  local parts = {}
  for status, count in pairs(counts) do
    table.insert(parts, string.format('"%d":%d', status, count))
  end
  local errors = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests":%d,"durationMicros":%d,"p50Micros":%d,"p99Micros":%d,"statuses":{%s},' ..
      '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d}}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), table.concat(parts, ","),
    errors.connect, errors.read, errors.write, errors.status, errors.timeout))
end
