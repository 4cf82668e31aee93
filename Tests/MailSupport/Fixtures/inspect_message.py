"""Checks a message with third-party code and prints what it found as JSON.

Usage: inspect_message.py MESSAGE_FILE [DKIM_TXT_RECORD]

- DKIM: dkimpy verifies the signature, its DNS lookup answered with the given TXT record
  (for any name; the test has one key).
- MIME: Python's email package (policy.default) parses the message; the decoded headers and the
  text and HTML parts are reported, with any defects it noticed.
"""

import json
import sys
from email import policy
from email.parser import BytesParser

message_bytes = open(sys.argv[1], "rb").read()
record = sys.argv[2].encode() if len(sys.argv) > 2 else None

result = {}
if record is not None:
    import dkim

    def dnsfunc(name, timeout=5):
        return record

    try:
        result["dkim"] = bool(dkim.verify(message_bytes, dnsfunc=dnsfunc))
    except Exception as error:  # a verifier exception is a failure, reported
        result["dkim"] = False
        result["dkim_error"] = repr(error)
    signatures = [v for k, v in BytesParser(policy=policy.compat32).parsebytes(message_bytes).items()
                  if k.lower() == "dkim-signature"]
    if signatures:
        import re
        tags = dict(t.strip().split("=", 1) for t in re.sub(r"\s+", "", signatures[0]).split(";") if t)
        result["dkim_h"] = tags.get("h", "")

message = BytesParser(policy=policy.default).parsebytes(message_bytes)
result["subject"] = str(message["subject"]) if message["subject"] is not None else None
result["from"] = str(message["from"]) if message["from"] is not None else None
result["from_display_name"] = message["from"].addresses[0].display_name if message["from"] is not None else None
result["to"] = [a.addr_spec for a in message["to"].addresses] if message["to"] is not None else []
result["to_display_names"] = [a.display_name for a in message["to"].addresses] if message["to"] is not None else []
result["headers"] = {k.lower(): str(v) for k, v in message.items()}
result["content_type"] = message.get_content_type()
result["defects"] = [repr(d) for d in message.defects]
parts = {}
for part in message.walk():
    result["defects"] += [repr(d) for d in part.defects]
    if part.get_content_maintype() == "text":
        # Line breaks as "\n" (the parser keeps the CRLF of the wire form).
        parts[part.get_content_subtype()] = part.get_content().replace("\r\n", "\n")
        parts[part.get_content_subtype() + "_cte"] = part["content-transfer-encoding"]
result["parts"] = parts
print(json.dumps(result))
