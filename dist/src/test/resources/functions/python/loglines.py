import logging
import sys


def handler(event, context):
    """Five lines naming event["n"]: print, stderr, logging, context.log and a last write without a newline."""
    n = event["n"]
    print("p1 %d" % n)
    sys.stderr.write("p2 %d\n" % n)
    logging.getLogger().warning("p3 %d", n)
    context.log("p4 %d\n" % n)
    sys.stdout.write("p5 %d" % n)
    return {"n": n}
