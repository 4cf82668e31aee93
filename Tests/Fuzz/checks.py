"""The check schemathesis runs on top of its own (loaded through SCHEMATHESIS_HOOKS by
run_schemathesis.py): every error a machine client gets is RFC 9457 problem+json.

The API (`/api/v1`), the Delighted-compatible `/v1`, the widget's endpoints and the operational
endpoints answer machines; the respondent and dashboard pages answer people with an HTML page,
whose content type the schema's own content_type_conformance check holds them to.
"""

import json

import schemathesis

MACHINE_PREFIXES = ("/api/", "/v1/", "/widget/", "/metrics", "/readyz", "/healthz", "/openapi.json")


@schemathesis.check
def errors_are_problem_json(ctx, response, case):
    """A 4xx or 5xx from a machine endpoint is application/problem+json with type, title, status and detail."""
    path = case.operation.path
    if response.status_code < 400 or not path.startswith(MACHINE_PREFIXES):
        return None
    content_type = response.headers.get("content-type", [""])
    content_type = (content_type[0] if isinstance(content_type, list) else content_type).split(";")[0].strip()
    if content_type != "application/problem+json":
        raise AssertionError("%d answered with %r, not application/problem+json" % (response.status_code, content_type))
    if case.method.upper() == "HEAD":
        return None
    try:
        body = json.loads(response.content)
    except ValueError as error:
        raise AssertionError("the problem body is not JSON: %s" % error)
    missing = [k for k in ("type", "title", "status", "detail") if k not in body]
    if missing:
        raise AssertionError("the problem lacks %s" % ", ".join(missing))
    if body["status"] != response.status_code:
        raise AssertionError("the problem says status %r but the response is %d" % (body["status"], response.status_code))
    return None
