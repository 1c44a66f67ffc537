-- GCRA (a token bucket kept as one "theoretical arrival time"): one key, O(1), exact under
-- concurrency because Redis runs the script atomically; time comes from the Redis server so
-- every edge instance agrees. KEYS[1]: the bucket; ARGV[1]: quota; ARGV[2]: window in µs.
-- Returns {allowed (0/1), remaining, µs until the bucket is full again, µs until the next slot}.
--
-- With KEYS[2] (the user's version token for a service, shared/edge_cache.py) an allowed request
-- also looks up the edge's cached answer in the same round trip: the entry key is
-- ARGV[3] .. token .. ARGV[4], and the reply gains {token, entry or false}. The entry key is
-- built here because it depends on the token; KEYS[2] and the entry share the user's hash tag.
local limit = tonumber(ARGV[1])
local period = tonumber(ARGV[2])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000000 + tonumber(clock[2])
local interval = period / limit
local tat = tonumber(redis.call('GET', KEYS[1])) or now
if tat < now then tat = now end
local new_tat = tat + interval
local allow_at = new_tat - period
if allow_at - now > 0.5 then  -- half a µs of tolerance for float rounding
  return {0, 0, math.ceil(tat - now), math.ceil(allow_at - now)}
end
redis.call('SET', KEYS[1], string.format('%.0f', new_tat), 'PX', math.ceil((new_tat - now) / 1000) + 1)
local decision = {1, math.floor((now - allow_at) / interval + 1e-6), math.ceil(new_tat - now), 0}
if KEYS[2] then
  local token = redis.call('GET', KEYS[2]) or ARGV[5]
  decision[5] = token
  decision[6] = redis.call('GET', ARGV[3] .. token .. ARGV[4])
end
return decision
