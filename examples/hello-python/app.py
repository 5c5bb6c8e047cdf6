"""Greets by name, like examples/hello-java.

Through a function URL the event is an API Gateway HTTP API v2 event (it has ``requestContext``)
and the answer an HTTP response; invoked directly with ``{"name": "Ann"}`` it answers
``{"message": "Hello, Ann"}``. Runs unchanged on AWS Lambda (python3.x).
"""


def handler(event, context):
    event = event if isinstance(event, dict) else {}
    if "requestContext" in event or "rawPath" in event:
        query = event.get("queryStringParameters") or {}
        return {
            "statusCode": 200,
            "headers": {"content-type": "text/plain"},
            "body": "Hello, " + _name_or_world(query.get("name")),
        }
    return {"message": "Hello, " + _name_or_world(event.get("name"))}


def _name_or_world(value):
    return value if isinstance(value, str) and value.strip() else "world"
