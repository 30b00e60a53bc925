-- PUT update: replaces one of N existing resources <prefix>000..<prefix>N-1 with a new tag value,
-- so every request is a real write (new ETag), never the "unchanged" no-op.
--   wrk ... -s put_update.lua URL -- <collection path> <query> <name prefix> <N>
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(here .. "report.lua")

local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end

function init(args)
  collection, query, prefix, count = args[1], args[2], args[3], tonumber(args[4])
  counter = 0
  wrk.headers["Content-Type"] = "application/json"
end

function request()
  counter = counter + 1
  local name = string.format("%s%03d", prefix, (counter + tid * 7) % count)
  local body = string.format('{"location":"eastus","tags":{"bench":"update","n":"%d-%d"}}', tid, counter)
  return wrk.format("PUT", collection .. "/" .. name .. "?" .. query, nil, body)
end
