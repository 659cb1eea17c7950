-- wrk script: log the benchmark user in over and over (POST /api/login), as the argon2 load that
-- runs beside the prediction benchmarks. Credentials from TRAZO_USER and TRAZO_PASSWORD.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = string.format('{"username":"%s","password":"%s"}',
  assert(os.getenv("TRAZO_USER")), assert(os.getenv("TRAZO_PASSWORD")))
-- The shared report, found next to this script wherever wrk is run from.
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "report.lua")
