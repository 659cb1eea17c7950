-- wrk script for POST /api/predict on trazo and on the peer (scripts/bench-compare.sh runs it).
--   wrk -t2 -s benchmarks/peer/bench/predict.lua URL/api/predict -- MODE FILE RUN_ID THREADS [DELAY_MS]
-- MODE "cycle": FILE is a .blob written by images.py (PNGs, each after its length and a
--   newline). Thread k of THREADS takes every THREADS-th image starting at k and uploads them in
--   turn; each upload also carries RUN_ID, the thread and a counter after the PNG's end (decoders
--   stop at the PNG's last chunk), so no two uploads of any run have the same SHA-256: every
--   request is a cache miss, and the images differ from one request to the next.
-- MODE "hit": FILE is one PNG, uploaded unchanged every time: after the first, cache hits.
-- DELAY_MS: pause before each request on a connection, to offer less than the peak load.
-- The bearer token comes from the TRAZO_TOKEN environment variable.

local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

local function load_blob(path, id, nthreads)
  local file = assert(io.open(path, "rb"))
  local data = file:read("*a")
  file:close()
  local list, pos, n = {}, 1, 0
  while pos <= #data do
    local newline = assert(data:find("\n", pos, true), "bad blob")
    local length = tonumber(data:sub(pos, newline - 1))
    if n % nthreads == id then
      list[#list + 1] = data:sub(newline + 1, newline + length)
    end
    n = n + 1
    pos = newline + 1 + length
  end
  return list
end

function init(args)
  mode = args[1]
  run = args[3] or "0"
  local nthreads = tonumber(args[4] or "1")
  pause = tonumber(args[5] or "0")
  counter = 0
  local boundary = "trazo-bench-7d1f0c"
  wrk.method = "POST"
  wrk.headers["Authorization"] = "Bearer " .. assert(os.getenv("TRAZO_TOKEN"), "TRAZO_TOKEN")
  wrk.headers["Content-Type"] = "multipart/form-data; boundary=" .. boundary
  head = "--" .. boundary .. "\r\n"
    .. "Content-Disposition: form-data; name=\"file\"; filename=\"digit.png\"\r\n"
    .. "Content-Type: image/png\r\n\r\n"
  tail = "\r\n--" .. boundary .. "--\r\n"
  if mode == "hit" then
    local file = assert(io.open(args[2], "rb"))
    same = wrk.format(nil, nil, nil, head .. file:read("*a") .. tail)
    file:close()
    images = 1
  else
    list = load_blob(args[2], id, nthreads)
    images = #list
    assert(images > 0, "no images for this thread")
  end
end

function request()
  counter = counter + 1
  if mode == "hit" then
    return same
  end
  local png = list[(counter - 1) % images + 1]
  return wrk.format(nil, nil, nil, head .. png .. run .. "-" .. id .. "-" .. counter .. tail)
end

if tonumber(os.getenv("TRAZO_DELAY_MS") or "0") > 0 then
  function delay()
    return pause
  end
end

-- One JSON line prefixed "RESULT " for the shell script. "passes" is how many times the
-- busiest thread went through its share of the images (above 1: an image was sent again,
-- still as a cache miss because of the suffix).
function done(summary, latency, requests)
  local seconds = summary.duration / 1e6
  local errors = summary.errors
  local passes = 0
  for _, thread in ipairs(threads) do
    local sent, share = thread:get("counter"), thread:get("images")
    if sent and share and share > 0 then
      passes = math.max(passes, sent / share)
    end
  end
  io.write(string.format(
    'RESULT {"requests":%d,"seconds":%.2f,"rps":%.1f,"p50_ms":%.2f,"p90_ms":%.2f,"p99_ms":%.2f,"max_ms":%.2f,"mean_ms":%.2f,"non2xx":%d,"socket_errors":%d,"connect":%d,"read":%d,"write":%d,"timeout":%d,"passes":%.3f}\n',
    summary.requests, seconds, summary.requests / seconds,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000, latency.mean / 1000,
    errors.status, errors.connect + errors.read + errors.write + errors.timeout,
    errors.connect, errors.read, errors.write, errors.timeout, passes))
end
