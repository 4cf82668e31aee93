-- One answer per request, each from a new contact: the path of a CRM or app posting answers.
-- SURVEY and TOKEN come from the environment (set by scripts/bench-http.sh).
local survey = os.getenv("SURVEY")
local counter = 0
local threads = 0
function setup(thread)
  thread:set("tid", threads)
  threads = threads + 1
end
function request()
  counter = counter + 1
  local body = string.format('{"survey_id": %s, "contact": {"external_id": "w%d-%d"}, "score": %d, "comment": "benchmark answer"}',
    survey, tid, counter, counter % 11)
  return wrk.format("POST", "/api/v1/responses", nil, body)
end
