import json


def handler(event, context):
    """Writes the event it was given on one line (a destination's record, say) and returns it."""
    print("RECORD " + json.dumps(event, sort_keys=True))
    return event
