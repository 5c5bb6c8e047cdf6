"""Pilotlight's Python runtime: hosts a Lambda handler ``module.function`` and serves it through the
Lambda Runtime API, as AWS's Python runtime does.

Standard library only. Start-up imports only what every instance needs; ``traceback`` and
``threading`` are imported when an error or ``PILOTLIGHT_CONCURRENCY`` > 1 asks for them.

Environment: ``AWS_LAMBDA_RUNTIME_API`` (host:port), ``_HANDLER``, ``LAMBDA_TASK_ROOT`` and the
``AWS_LAMBDA_*`` variables the context reads. Exit status: 1 when the function cannot be
initialised (after ``POST /runtime/init/error``) or the environment is invalid; 2 when the Runtime
API is lost.

Standby (``PILOTLIGHT_POOL=1``, the platform's warm pool): started before any function is known,
the bootstrap warms what serving needs, prints ``PILOTLIGHT-POOL-READY`` and reads one line of
JSON from stdin, the function's complete environment. It then makes itself what a plain launch for
that function would have been (that environment, the code directory as working directory) and
starts as usual. Exit status 1 when stdin ends first.
"""

import http.client
import importlib
import io
import json
import os
import sys
import time

_BASE = "/2018-06-01/runtime"
_ERROR_CONTENT_TYPE = "application/vnd.aws.lambda.error+json"
_THIS_FILE = os.path.abspath(__file__)
# What the platform's warm pool waits for on stdout (WarmPool.READY_LINE).
_READY_LINE = "PILOTLIGHT-POOL-READY"

# The request being served most recently: what log records are tagged with.
_current_request_id = ""


class _CountedOutput(io.RawIOBase):
    """A file descriptor that counts the bytes written to it (see ``_output_counts``)."""

    def __init__(self, fd):
        super().__init__()
        self._fd = fd
        self.count = 0

    def writable(self):
        return True

    def fileno(self):
        return self._fd

    def write(self, b):
        view = memoryview(b).cast("B")
        total = 0
        while total < len(view):
            total += os.write(self._fd, view[total:])
        self.count += total
        return total


def _counted(fd, old):
    raw = _CountedOutput(fd)
    return raw, io.TextIOWrapper(raw, encoding=old.encoding or "utf-8", errors=old.errors or "strict",
                                 line_buffering=False, write_through=True)


# stdout and stderr, each write passed straight to the descriptor and counted, so that each answer can
# say how far the platform must read the output before the invocation ends (every line printed is
# then logged as the invocation's own, even one without a newline). Output of child processes and of
# writes to the descriptors themselves is not counted.
_stdout_raw, sys.stdout = _counted(1, sys.stdout)
_stderr_raw, sys.stderr = _counted(2, sys.stderr)


def _output_counts():
    """The ``Pilotlight-Output-Bytes`` header: bytes written to stdout and stderr so far."""
    sys.stdout.flush()
    sys.stderr.flush()
    return {"Pilotlight-Output-Bytes": "{},{}".format(_stdout_raw.count, _stderr_raw.count)}


class FaultError(Exception):
    """A failure of the runtime's own making, reported with one of AWS's ``Runtime.*`` types."""

    def __init__(self, error_type, message, trace=None):
        super().__init__(message)
        self.error_type = error_type
        self.message = message
        self.trace = trace or []


class CognitoIdentity:
    __slots__ = ("cognito_identity_id", "cognito_identity_pool_id")

    def __init__(self, identity_id=None, pool_id=None):
        self.cognito_identity_id = identity_id
        self.cognito_identity_pool_id = pool_id


class ClientContext:
    __slots__ = ("client", "custom", "env")

    def __init__(self, client=None, custom=None, env=None):
        self.client = client
        self.custom = custom
        self.env = env


class LambdaContext:
    """The second argument of a handler, with the attributes of AWS's ``LambdaContext``."""

    def __init__(self, request_id, deadline_ms, invoked_function_arn, client_context=None, identity=None):
        env = os.environ
        self.aws_request_id = request_id
        self.function_name = env.get("AWS_LAMBDA_FUNCTION_NAME")
        self.function_version = env.get("AWS_LAMBDA_FUNCTION_VERSION")
        # A string, as on AWS (it is read from the environment there too).
        self.memory_limit_in_mb = env.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
        self.invoked_function_arn = invoked_function_arn
        self.log_group_name = env.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = env.get("AWS_LAMBDA_LOG_STREAM_NAME")
        self.client_context = client_context
        self.identity = identity if identity is not None else CognitoIdentity()
        self._deadline_ms = deadline_ms

    def get_remaining_time_in_millis(self):
        remaining = self._deadline_ms - int(time.time() * 1000)
        return remaining if remaining > 0 else 0

    def log(self, message):
        sys.stdout.write(str(message))
        sys.stdout.flush()

    def __repr__(self):
        return ("LambdaContext([aws_request_id={}, function_name={}, function_version={}, memory_limit_in_mb={}, "
                "invoked_function_arn={}, log_group_name={}, log_stream_name={}])").format(
            self.aws_request_id, self.function_name, self.function_version, self.memory_limit_in_mb,
            self.invoked_function_arn, self.log_group_name, self.log_stream_name)


class Invocation:
    __slots__ = ("request_id", "deadline_ms", "function_arn", "trace_id", "client_context", "identity", "body")

    def __init__(self, request_id, deadline_ms, function_arn, trace_id, client_context, identity, body):
        self.request_id = request_id
        self.deadline_ms = deadline_ms
        self.function_arn = function_arn
        self.trace_id = trace_id
        self.client_context = client_context
        self.identity = identity
        self.body = body


class RuntimeApiClient:
    """The runtime side of the Runtime API over one keep-alive connection. Any ``OSError`` or
    ``http.client.HTTPException`` means the API is gone; the runtime then exits."""

    def __init__(self, address):
        host, sep, port = address.rpartition(":")
        if not sep or not host or not port.isdigit():
            raise ValueError("AWS_LAMBDA_RUNTIME_API: '{}' (expected: host:port)".format(address))
        if host.startswith("[") and host.endswith("]"):
            host = host[1:-1]
        self._connection = http.client.HTTPConnection(host, int(port))

    def _exchange(self, method, path, body=None, headers=None):
        self._connection.request(method, _BASE + path, body=body, headers=headers or {})
        response = self._connection.getresponse()
        return response, response.read()

    def next(self):
        response, body = self._exchange("GET", "/invocation/next")
        if response.status != 200:
            raise http.client.HTTPException(
                "GET /invocation/next answered {}: {}".format(response.status, body.decode("utf-8", "replace")))
        request_id = response.getheader("Lambda-Runtime-Aws-Request-Id")
        if not request_id:
            raise http.client.HTTPException("GET /invocation/next answered without Lambda-Runtime-Aws-Request-Id")
        return Invocation(
            request_id,
            int(response.getheader("Lambda-Runtime-Deadline-Ms") or 0),
            response.getheader("Lambda-Runtime-Invoked-Function-Arn"),
            response.getheader("Lambda-Runtime-Trace-Id"),
            response.getheader("Lambda-Runtime-Client-Context"),
            response.getheader("Lambda-Runtime-Cognito-Identity"),
            body)

    def respond(self, request_id, payload):
        headers = _output_counts()
        headers["Content-Type"] = "application/json"
        response, _ = self._exchange("POST", "/invocation/" + request_id + "/response", payload, headers)
        return response.status

    def fail(self, request_id, error):
        return self._post_error("/invocation/" + request_id + "/error", error, _output_counts())

    def fail_init(self, error):
        return self._post_error("/init/error", error, {})

    def _post_error(self, path, error, headers):
        payload = json.dumps(error, ensure_ascii=False).encode("utf-8")
        headers["Content-Type"] = _ERROR_CONTENT_TYPE
        headers["Lambda-Runtime-Function-Error-Type"] = error["errorType"]
        response, _ = self._exchange("POST", path, payload, headers)
        return response.status


def _error(message, error_type, stack_trace, request_id=""):
    """Lambda's error document, with the keys AWS's Python runtime writes."""
    return {"errorMessage": message or "", "errorType": error_type or "", "requestId": request_id or "",
            "stackTrace": stack_trace or []}


def _fault_of(exc, request_id=""):
    """The error document for an exception raised by the function, without the runtime's frames."""
    import traceback

    if isinstance(exc, FaultError):
        return _error(exc.message, exc.error_type, exc.trace, request_id)
    # The runtime's frames (and importlib's, for an error raised while importing) say nothing about the bug.
    frames = [f for f in traceback.extract_tb(exc.__traceback__)
              if f.filename != _THIS_FILE and not f.filename.startswith("<frozen importlib")
              and not f.filename.endswith(os.path.join("importlib", "__init__.py"))]
    return _error(str(exc), type(exc).__name__, traceback.format_list(frames), request_id)


def _log_error(error):
    """Writes the error to the function's log the way AWS's runtime does: a ``[ERROR]`` line, then the trace."""
    lines = ["[ERROR] {}: {}".format(error["errorType"], error["errorMessage"])]
    if error["stackTrace"]:
        lines.append("Traceback (most recent call last):")
        lines.extend(frame.rstrip("\n") for frame in error["stackTrace"])
    sys.stdout.write("\n".join(lines) + "\n")


def load_handler(handler, task_root):
    """Imports the handler's module from the task root, raising ``FaultError`` as AWS's runtime would.

    A module that imports but has no such function is not an init error on AWS: each invocation
    fails with ``Runtime.HandlerNotFound`` instead, so that is what the returned handler does.
    """
    if task_root not in sys.path:
        sys.path.insert(0, task_root)
    try:
        module_name, function_name = handler.rsplit(".", 1)
    except ValueError as e:
        raise FaultError("Runtime.MalformedHandlerName", "Bad handler '{}': {}".format(handler, e))
    if not module_name or not function_name:
        raise FaultError("Runtime.MalformedHandlerName", "Bad handler '{}'".format(handler))
    if module_name.split(".")[0] in sys.builtin_module_names:
        raise FaultError("Runtime.BuiltInModuleConflict",
                         "Cannot use built-in module {} as a handler module".format(module_name))
    try:
        module = importlib.import_module(module_name.replace("/", "."))
    except ImportError as e:
        raise FaultError("Runtime.ImportModuleError", "Unable to import module '{}': {}".format(module_name, e))
    except SyntaxError as e:
        trace = ['  File "{}" Line {}\n    {}'.format(e.filename, e.lineno, e.text)]
        raise FaultError("Runtime.UserCodeSyntaxError",
                         "Syntax error in module '{}': {}".format(module_name, e), trace)
    function = getattr(module, function_name, None)
    if function is None:
        fault = FaultError("Runtime.HandlerNotFound",
                           "Handler '{}' missing on module '{}'".format(function_name, module_name))

        def missing(event, context):
            raise fault

        return missing
    return function


def _install_log_handler():
    """Formats ``logging`` records as AWS's Python runtime does, if the function uses ``logging``.

    Importing ``logging`` costs start-up time, so this runs only when the function's module has
    imported it already.
    """
    logging = sys.modules.get("logging")
    if logging is None or logging.getLogger().handlers:
        return

    class RequestIdFilter(logging.Filter):
        def filter(self, record):
            record.aws_request_id = _current_request_id
            return True

    handler = logging.StreamHandler(sys.stdout)
    formatter = logging.Formatter("[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s",
                                  "%Y-%m-%dT%H:%M:%S")
    formatter.converter = time.gmtime
    handler.setFormatter(formatter)
    handler.addFilter(RequestIdFilter())
    logging.getLogger().addHandler(handler)


def _json_default(value):
    # Decimal (as DynamoDB returns numbers) without importing decimal at start-up.
    if type(value).__name__ == "Decimal" and type(value).__module__ == "decimal":
        return int(value) if value == value.to_integral_value() else float(value)
    raise TypeError("Object of type {} is not JSON serializable".format(type(value).__name__))


def _optional_json(text):
    if not text:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None


def _context_of(invocation):
    client_context = _optional_json(invocation.client_context)
    if isinstance(client_context, dict):
        client_context = ClientContext(client_context.get("client"), client_context.get("custom"),
                                       client_context.get("env"))
    identity = _optional_json(invocation.identity)
    if isinstance(identity, dict):
        identity = CognitoIdentity(identity.get("cognitoIdentityId"), identity.get("cognitoIdentityPoolId"))
    return LambdaContext(invocation.request_id, invocation.deadline_ms, invocation.function_arn,
                         client_context, identity)


def handle(invocation, function):
    """Runs one invocation; returns ``(payload, None)`` or ``(None, error document)``."""
    global _current_request_id
    request_id = invocation.request_id
    _current_request_id = request_id
    if invocation.trace_id:
        os.environ["_X_AMZN_TRACE_ID"] = invocation.trace_id
    try:
        event = json.loads(invocation.body) if invocation.body else None
    except ValueError as e:
        return None, _error("Unable to unmarshal input: " + str(e), "Runtime.UnmarshalError", [], request_id)
    try:
        result = function(event, _context_of(invocation))
    except Exception as e:  # SystemExit and KeyboardInterrupt end the instance, as on AWS
        return None, _fault_of(e, request_id)
    try:
        return json.dumps(result, ensure_ascii=False, default=_json_default).encode("utf-8"), None
    except (TypeError, ValueError, OverflowError) as e:
        return None, _error("Unable to marshal response: " + str(e), "Runtime.MarshalError", [], request_id)


def serve(client, function):
    """One next → invoke → response loop; returns only when the Runtime API is lost."""
    try:
        while True:
            invocation = client.next()
            payload, error = handle(invocation, function)
            if error is None:
                status = client.respond(invocation.request_id, payload)
            else:
                _log_error(error)
                status = client.fail(invocation.request_id, error)
            if status != 202:
                # e.g. 413 for a response over the payload limit: the API has failed the invocation itself
                sys.stderr.write("pilotlight-python-runtime: the Runtime API answered {} to the {} of request {}\n"
                                 .format(status, "response" if error is None else "error", invocation.request_id))
    except (OSError, http.client.HTTPException) as e:
        sys.stderr.write("pilotlight-python-runtime: Runtime API lost: {}\n".format(e))


def main():
    address = os.environ.get("AWS_LAMBDA_RUNTIME_API")
    handler = os.environ.get("_HANDLER")
    if not address or not handler:
        sys.stderr.write("pilotlight-python-runtime: AWS_LAMBDA_RUNTIME_API and _HANDLER must be set\n")
        sys.exit(1)
    task_root = os.environ.get("LAMBDA_TASK_ROOT") or os.getcwd()
    # The runtime's own directory must not shadow the function's modules.
    if sys.path and os.path.abspath(sys.path[0] or ".") == os.path.dirname(_THIS_FILE):
        del sys.path[0]
    try:
        concurrency = max(1, int(os.environ.get("PILOTLIGHT_CONCURRENCY") or "1"))
        client = RuntimeApiClient(address)
    except ValueError as e:
        sys.stderr.write("pilotlight-python-runtime: {}\n".format(e))
        sys.exit(1)

    try:
        function = load_handler(handler, task_root)
    except Exception as e:
        error = _fault_of(e)
        _log_error(error)
        try:
            client.fail_init(error)
        except (OSError, http.client.HTTPException) as lost:
            sys.stderr.write("pilotlight-python-runtime: Runtime API lost: {}\n".format(lost))
        sys.exit(1)
    _install_log_handler()

    if concurrency > 1:
        import threading

        def serve_then_exit(c):
            serve(c, function)
            os._exit(2)

        for i in range(1, concurrency):
            threading.Thread(target=serve_then_exit, args=(RuntimeApiClient(address),),
                             name="poll-{}".format(i), daemon=True).start()
    serve(client, function)
    sys.stdout.flush()
    os._exit(2)


def _warm_up():
    """Runs what every cold start runs before the function's code, so a standby has paid for it:
    one exchange through ``RuntimeApiClient`` with a loopback socket standing in for the Runtime
    API (the first request imports ``encodings.idna`` and friends, parses headers), and JSON both
    ways. Single-threaded: the request fits the socket buffers, so it is written before it is
    accepted. Nothing the function could observe is imported (``logging`` in particular: its
    presence in ``sys.modules`` decides whether the log handler is installed). Best effort."""
    import socket

    try:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
            server.bind(("127.0.0.1", 0))
            server.listen(1)
            client = RuntimeApiClient("127.0.0.1:{}".format(server.getsockname()[1]))
            client._connection.connect()
            client._connection.request("GET", _BASE + "/invocation/next")
            peer, _ = server.accept()
            with peer:
                peer.recv(65536)
                body = b'{"version":"2.0","rawPath":"/","queryStringParameters":{"name":"pool"},"isBase64Encoded":false}'
                peer.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                             b"Lambda-Runtime-Aws-Request-Id: warm-up\r\nLambda-Runtime-Deadline-Ms: 0\r\n"
                             b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)
                response = client._connection.getresponse()
                payload = response.read()
                response.getheader("Lambda-Runtime-Aws-Request-Id")
                json.dumps(json.loads(payload), ensure_ascii=False, default=_json_default).encode("utf-8")
            client._connection.close()
    except (OSError, http.client.HTTPException, ValueError):
        pass


def _await_function():
    """The standby: warm up, announce readiness, then become the function's instance (see the module doc)."""
    _warm_up()
    sys.stdout.write(_READY_LINE + "\n")
    sys.stdout.flush()
    _stdout_raw.count = 0  # the pool read up to here; the instance's log reads from here
    line = sys.stdin.buffer.readline()
    if not line.strip():
        sys.exit(1)  # the platform went away before handing over a function
    env = json.loads(line)
    # Exactly the plain launch's environment: os.environ writes through to the process's own
    # (putenv/unsetenv), so child processes see it too; PILOTLIGHT_POOL goes with the rest.
    os.environ.clear()
    os.environ.update({str(k): str(v) for k, v in env.items()})
    time.tzset()  # the function may set TZ, which the time module read at import
    # A plain launch runs in the code directory. sys.path needs no change: it was built from this
    # script's location, not the working directory, and main() puts the task root first either way.
    task_root = os.environ.get("LAMBDA_TASK_ROOT")
    if task_root:
        os.chdir(task_root)


if __name__ == "__main__":
    if os.environ.get("PILOTLIGHT_POOL") == "1":
        _await_function()
    main()
