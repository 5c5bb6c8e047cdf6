"""Reports what a function can observe of how its process was started (LaunchLadderIT)."""
import os
import subprocess
import sys

from helpers import shipped


def handler(event, context):
    return {
        "greeting": os.environ.get("GREETING"),
        "pool": os.environ.get("PILOTLIGHT_POOL"),
        "child": subprocess.check_output(["/bin/sh", "-c", "printf %s \"$GREETING\""]).decode(),
        "cwd": os.getcwd(),
        "taskRoot": os.environ.get("LAMBDA_TASK_ROOT"),
        "path0": sys.path[0],
        "shipped": shipped.WORD,
        "shippedFile": shipped.__file__,
        "relative": open("data.txt").read(),
        "memory": context.memory_limit_in_mb,
    }
