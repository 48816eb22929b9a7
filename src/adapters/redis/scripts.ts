// Lua scripts: each runs atomically in Redis, so a record and its indexes never disagree and
// a write based on a stale read is refused instead of silently winning.

// KEYS: record, index, by-service, by-state, work-due[, idempotency]
// ARGV: json, version, score, id, work-due-ms ('' for none), summary-json, idempotency-value, idempotency-ttl-seconds
export const CREATE = `
if #KEYS == 6 then
  local existing = redis.call('GET', KEYS[6])
  if existing then return existing end
end
if redis.call('EXISTS', KEYS[1]) == 1 then return redis.error_reply('hotfix exists: ' .. ARGV[4]) end
redis.call('HSET', KEYS[1], 'd', ARGV[1], 'v', ARGV[2], 's', ARGV[6])
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[4])
redis.call('ZADD', KEYS[3], ARGV[3], ARGV[4])
redis.call('ZADD', KEYS[4], ARGV[3], ARGV[4])
if ARGV[5] ~= '' then redis.call('ZADD', KEYS[5], ARGV[5], ARGV[4]) end
if #KEYS == 6 then redis.call('SET', KEYS[6], ARGV[7], 'EX', tonumber(ARGV[8])) end
return false
`;

// KEYS: record, old by-state, new by-state, work-due
// ARGV: expected version, json, new version, id, score, work-due-ms ('' for none), summary-json
// Returns 1 when written, 0 when the version moved on (a concurrent writer), -1 when gone.
export const COMPARE_AND_SET = `
local current = redis.call('HGET', KEYS[1], 'v')
if not current then return -1 end
if current ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'd', ARGV[2], 'v', ARGV[3], 's', ARGV[7])
if KEYS[2] ~= KEYS[3] then
  redis.call('ZREM', KEYS[2], ARGV[4])
  redis.call('ZADD', KEYS[3], ARGV[5], ARGV[4])
end
if ARGV[6] ~= '' then redis.call('ZADD', KEYS[4], ARGV[6], ARGV[4]) else redis.call('ZREM', KEYS[4], ARGV[4]) end
return 1
`;

// KEYS: record, index, by-service, by-state, work-due[, idempotency]; ARGV: id
export const DISCARD = `
redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('ZREM', KEYS[3], ARGV[1])
redis.call('ZREM', KEYS[4], ARGV[1])
redis.call('ZREM', KEYS[5], ARGV[1])
if #KEYS == 6 then redis.call('DEL', KEYS[6]) end
return 1
`;

// KEYS: an index (sorted set of hotfix ids by creation time)
// ARGV: max score, offset, count, field ('d' or 's'), record key prefix (the record is prefix .. id)
// Returns id, field value (false when the record is gone), id, value, … newest first.
// One command for a page instead of one per hotfix: reading 50 summaries took half the time
// of 50 pipelined HGETs alone, and gave three times the reads per second with ten readers.
// The record keys are built here, as BullMQ's own scripts build job keys: like BullMQ, the
// store expects one Redis, not a cluster.
export const PAGE = `
local ids = redis.call('ZREVRANGEBYSCORE', KEYS[1], ARGV[1], '-inf', 'LIMIT', ARGV[2], ARGV[3])
local out = {}
for _, id in ipairs(ids) do
  out[#out + 1] = id
  out[#out + 1] = redis.call('HGET', ARGV[5] .. id, ARGV[4])
end
return out
`;
