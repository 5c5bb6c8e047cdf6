import time


def handler(event, context):
    time.sleep(event.get("ms", 0) / 1000)
    return {"slept": event.get("ms", 0), "request": context.aws_request_id}
