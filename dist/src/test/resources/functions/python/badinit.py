raise RuntimeError("init failed on purpose in python")


def handler(event, context):
    return "never"
