import os

NAMES = ["AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_VERSION", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_REGION",
         "AWS_DEFAULT_REGION", "_HANDLER", "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR", "TZ", "AWS_LAMBDA_RUNTIME_API",
         "AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME", "_X_AMZN_TRACE_ID", "GREETING", "AWS_EXECUTION_ENV",
         "AWS_LAMBDA_INITIALIZATION_TYPE", "PYTHONPATH", "AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"]


def handler(event, context):
    values = {name: os.environ.get(name) for name in NAMES}
    values["cwd"] = os.getcwd()
    values["memory_limit_in_mb"] = context.memory_limit_in_mb
    values["invoked_function_arn"] = context.invoked_function_arn
    return values
