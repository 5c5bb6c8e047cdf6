def fail(event, context):
    raise ValueError("boom from python")
