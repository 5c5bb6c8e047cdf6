def handler(event, context):
    print("function line for " + context.aws_request_id)
    return {"n": event.get("n")}
