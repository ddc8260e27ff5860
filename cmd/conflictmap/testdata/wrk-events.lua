-- wrk script for BENCHMARKS.md "Server": every request accepts gzip, as a
-- browser or GIS client does, so a cached answer is sent as stored. The
-- summary line is what bench-server.sh reads.
--
--   wrk -t2 -c16 -d10s -s wrk-events.lua 'http://127.0.0.1:8080/api/events'

wrk.method = "GET"
wrk.headers["Accept-Encoding"] = "gzip"

done = function(summary, latency, requests)
  local secs = summary.duration / 1e6
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  io.write(string.format(
    "RESULT rps=%.0f p50_ms=%.2f p99_ms=%.2f requests=%d errors=%d non2xx=%d MBps=%.1f\n",
    summary.requests / secs, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.requests, errors, summary.errors.status, summary.bytes / secs / 1e6))
end
