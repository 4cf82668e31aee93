-- BATCH anonymous answers per request (anonymous answers never merge, so each one is a new row).
local survey = os.getenv("SURVEY")
local size = tonumber(os.getenv("BATCH") or "1000")
local items = {}
for i = 1, size do
  items[i] = string.format('{"survey_id": %s, "score": %d, "comment": "batch answer %d", "properties": {"plan": "pro"}}', survey, i % 11, i)
end
wrk.method = "POST"
wrk.path = "/api/v1/responses/batch"
wrk.body = '{"responses": [' .. table.concat(items, ",") .. ']}'
