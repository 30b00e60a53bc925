-- PUT create: every request a new resource under a collection.
--   wrk ... -s put_create.lua URL -- <collection path> <query> <run id> [body]
-- Names are <run id><thread>x<counter in hex>, at most 23 characters; run.py gives every wrk run its own
-- run id, so no two runs (a warm-up and its measure, say) send the same names.
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(here .. "report.lua")

local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end

function init(args)
  collection, query, run = args[1], args[2], args[3]
  body = args[4] or '{"location":"eastus","tags":{"bench":"create"}}'
  counter = 0
  wrk.headers["Content-Type"] = "application/json"
end

function request()
  counter = counter + 1
  local name = string.format("%s%dx%x", run, tid, counter)
  return wrk.format("PUT", collection .. "/" .. name .. "?" .. query, nil, body)
end
