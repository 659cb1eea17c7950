-- wrk script for the reference runs: plain GETs (e.g. /healthz, or /api/me with the bearer
-- token from TRAZO_TOKEN when TRAZO_AUTH=1), reported like the prediction runs.
if os.getenv("TRAZO_AUTH") == "1" then
  wrk.headers["Authorization"] = "Bearer " .. assert(os.getenv("TRAZO_TOKEN"), "TRAZO_TOKEN")
end
-- The shared report, found next to this script wherever wrk is run from.
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "report.lua")
