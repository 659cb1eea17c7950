-- wrk script for POST /api/predict (see scripts/bench-load.sh, which runs it).
--   wrk -s scripts/bench/predict.lua URL/api/predict -- PNG MODE RUN_ID [DELAY_MS]
-- MODE "hit": every request uploads the same bytes, so after the first all are cache hits.
-- MODE "miss": every request appends a unique suffix after the PNG's end (decoders ignore it),
--   so its SHA-256, and therefore its cache key, is new: each one is decoded and classified.
-- DELAY_MS: pause before each request on a connection, to offer less than the peak load.
-- The bearer token comes from the TRAZO_TOKEN environment variable.

local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  local file = assert(io.open(args[1], "rb"))
  png = file:read("*a")
  file:close()
  mode = args[2]
  run = args[3] or "0"
  pause = tonumber(args[4] or "0")
  counter = 0
  local boundary = "trazo-bench-7d1f0c"
  wrk.method = "POST"
  wrk.headers["Authorization"] = "Bearer " .. assert(os.getenv("TRAZO_TOKEN"), "TRAZO_TOKEN")
  wrk.headers["Content-Type"] = "multipart/form-data; boundary=" .. boundary
  head = "--" .. boundary .. "\r\n"
    .. "Content-Disposition: form-data; name=\"file\"; filename=\"digit.png\"\r\n"
    .. "Content-Type: image/png\r\n\r\n"
  tail = "\r\n--" .. boundary .. "--\r\n"
  same = wrk.format(nil, nil, nil, head .. png .. tail)
end

function request()
  if mode == "hit" then
    return same
  end
  counter = counter + 1
  return wrk.format(nil, nil, nil, head .. png .. run .. "-" .. id .. "-" .. counter .. tail)
end

if tonumber(os.getenv("TRAZO_DELAY_MS") or "0") > 0 then
  function delay()
    return pause
  end
end

-- The shared report, found next to this script wherever wrk is run from.
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "report.lua")
