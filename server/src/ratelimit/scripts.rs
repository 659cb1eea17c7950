//! The limiter's Lua scripts: each check, release and reservation is one atomic step in Redis,
//! so instances sharing it never over-admit between a read and a write.

/// Checks every window and, when ARGV[1] is 1, counts the hit in all of them only if all have
/// room (0 only looks). Returns each window's count after the step and its time to reset.
///
/// With a guard (one more key after the windows, and its expected value as the last ARGV), the
/// step is taken only while that key holds that value (absent reads as 0); otherwise nothing is
/// counted and the reply is `{-1, current value}`.
///
/// KEYS: window keys[, guard]. ARGV: count (1 or 0), limit_1, period_ms_1, …[, expected].
pub const SCRIPT: &str = r"
local windows = math.floor((#ARGV - 1) / 2)
if #KEYS > windows then
  local current = tonumber(redis.call('GET', KEYS[#KEYS]) or '0')
  if current ~= tonumber(ARGV[#ARGV]) then return { -1, current } end
end
local denied = 0
local counts = {}
for i = 1, windows do
  local count = tonumber(redis.call('GET', KEYS[i]) or '0')
  if count >= tonumber(ARGV[2 * i]) then denied = 1 end
  counts[i] = count
end
local out = { denied }
for i = 1, windows do
  local count = counts[i]
  if denied == 0 and ARGV[1] == '1' then
    count = redis.call('INCR', KEYS[i])
    if count == 1 then redis.call('PEXPIRE', KEYS[i], ARGV[2 * i + 1]) end
  end
  local ttl = redis.call('PTTL', KEYS[i])
  if ttl < 0 then ttl = tonumber(ARGV[2 * i + 1]) end
  out[#out + 1] = count
  out[#out + 1] = ttl
end
return out
";

/// Gives back one hit in each window (an attempt that turned out not to count).
pub const RELEASE_SCRIPT: &str = r"
for i = 1, #KEYS do
  local count = tonumber(redis.call('GET', KEYS[i]) or '0')
  if count > 0 then redis.call('DECR', KEYS[i]) end
end
return 0
";

/// Reserves one attempt: refused while the key is locked, otherwise counted as a failure at
/// once (locking the key from the threshold on), in one atomic step, so that concurrent
/// attempts can never get past the back-off. A success then clears the key.
/// KEYS: failure counter, lock. ARGV: threshold, base_ms, max_ms, memory_ms.
/// Returns minus the remaining lock in ms when refused, else the failure count.
pub const RESERVE_SCRIPT: &str = r"
local locked = redis.call('PTTL', KEYS[2])
if locked > 0 then return -locked end
local n = redis.call('INCR', KEYS[1])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
local threshold = tonumber(ARGV[1])
if n >= threshold then
  local doublings = math.min(n - threshold, 32)
  local ms = math.floor(math.min(tonumber(ARGV[2]) * (2 ^ doublings), tonumber(ARGV[3])))
  redis.call('SET', KEYS[2], '1', 'PX', ms)
end
return n
";
