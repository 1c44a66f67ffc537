-- wrk script of bench/edge-overhead: one machine-readable line with the latency percentiles (us).
done = function(summary, latency, requests)
  io.write(string.format("LATENCY_JSON {\"requests\":%d,\"duration_us\":%d,\"non2xx\":%d,\"errors\":%d," ..
    "\"mean\":%.1f,\"p50\":%d,\"p90\":%d,\"p99\":%d}\n",
    summary.requests, summary.duration, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency.mean, latency:percentile(50), latency:percentile(90), latency:percentile(99)))
end
