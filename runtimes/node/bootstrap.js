'use strict';
/**
 * Pilotlight's Node.js runtime: hosts a Lambda handler `file.handler` and serves it through the
 * Lambda Runtime API, as AWS's Node.js runtime does. Node standard library only, CommonJS.
 *
 * Handlers may return a promise (async functions) or call `callback(error, result)`; with
 * `context.callbackWaitsForEmptyEventLoop` (default true) a callback's result is posted once the
 * event loop is empty, as on AWS. `PILOTLIGHT_CONCURRENCY` > 1 runs that many poll loops in this
 * one process; the event loop is then never empty, so callback results are posted at once.
 *
 * Exit status: 1 when the function cannot be initialised (after `POST /runtime/init/error`) or the
 * environment is invalid; 2 when the Runtime API is lost; 128/129 after an unhandled rejection or
 * uncaught exception was reported as the current invocation's error.
 *
 * Standby (`PILOTLIGHT_POOL=1`, the platform's warm pool): started before any function is known,
 * the bootstrap warms what serving needs, prints `PILOTLIGHT-POOL-READY` and reads one line of
 * JSON from stdin, the function's complete environment. It then makes itself what a plain launch
 * for that function would have been (that environment, the code directory as working directory)
 * and starts as usual. Exit status 1 when stdin ends first.
 */
const http = require('http');
const fs = require('fs');
const path = require('path');

const BASE = '/2018-06-01/runtime';
/** What the platform's warm pool waits for on stdout (WarmPool.READY_LINE). */
const READY_LINE = 'PILOTLIGHT-POOL-READY';
const ERROR_CONTENT_TYPE = 'application/vnd.aws.lambda.error+json';

/**
 * Bytes written through process.stdout and process.stderr (synchronous on pipes, on Linux), so
 * that each answer can say how far the platform must read the output before the invocation ends
 * (`Pilotlight-Output-Bytes`): every line printed — console.log, console.error, a write without a
 * newline — is then logged as the invocation's own. Output of child processes is not counted.
 */
const written = { stdout: 0, stderr: 0 };
for (const name of ['stdout', 'stderr']) {
  const stream = process[name];
  const write = stream.write;
  stream.write = function countedWrite(chunk, encoding, callback) {
    if (typeof chunk === 'string') {
      written[name] += Buffer.byteLength(chunk, typeof encoding === 'string' ? encoding : 'utf8');
    } else if (chunk && chunk.length !== undefined) {
      written[name] += chunk.byteLength !== undefined ? chunk.byteLength : chunk.length;
    }
    return write.call(this, chunk, encoding, callback);
  };
}

function outputCounts() {
  return `${written.stdout},${written.stderr}`;
}

class RuntimeError extends Error {
  constructor(type, message) {
    super(message);
    this.name = type;
  }
}

/** The runtime side of the Runtime API; every call resolves with `{status, headers, body}`. */
class RuntimeApiClient {
  constructor(address, sockets) {
    const colon = address.lastIndexOf(':');
    const port = Number(address.slice(colon + 1));
    if (colon <= 0 || !Number.isInteger(port) || port <= 0) {
      throw new Error(`AWS_LAMBDA_RUNTIME_API: '${address}' (expected: host:port)`);
    }
    this.host = address.slice(0, colon).replace(/^\[(.*)\]$/, '$1');
    this.port = port;
    // Idle keep-alive sockets are unref'd by the agent, so they never keep the event loop alive.
    this.agent = new http.Agent({ keepAlive: true, maxSockets: sockets });
  }

  exchange(method, urlPath, body, headers) {
    return new Promise((resolve, reject) => {
      const req = http.request({ host: this.host, port: this.port, method, path: BASE + urlPath, agent: this.agent,
        headers: body === undefined ? headers : { ...headers, 'Content-Length': body.length } }, (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(body);
    });
  }

  async next() {
    const r = await this.exchange('GET', '/invocation/next');
    if (r.status !== 200) {
      throw new Error(`GET /invocation/next answered ${r.status}: ${r.body.toString()}`);
    }
    const requestId = r.headers['lambda-runtime-aws-request-id'];
    if (!requestId) {
      throw new Error('GET /invocation/next answered without Lambda-Runtime-Aws-Request-Id');
    }
    return {
      requestId,
      deadlineMs: Number(r.headers['lambda-runtime-deadline-ms'] || 0),
      functionArn: r.headers['lambda-runtime-invoked-function-arn'],
      traceId: r.headers['lambda-runtime-trace-id'],
      clientContext: r.headers['lambda-runtime-client-context'],
      identity: r.headers['lambda-runtime-cognito-identity'],
      body: r.body.toString('utf8'),
    };
  }

  async respond(requestId, payload) {
    const r = await this.exchange('POST', `/invocation/${requestId}/response`, Buffer.from(payload, 'utf8'),
      { 'Content-Type': 'application/json', 'Pilotlight-Output-Bytes': outputCounts() });
    return r.status;
  }

  /**
   * A streamed `POST /invocation/{id}/response` (Lambda's response streaming): the request is the
   * handler's writable `responseStream`; `done` resolves with the API's status once it has ended.
   * An error after the stream began is sent in the trailers, as AWS's runtime does.
   */
  openStream(requestId) {
    let settle;
    const done = new Promise((resolve) => { settle = resolve; });
    const req = http.request({ host: this.host, port: this.port, method: 'POST', path: `${BASE}/invocation/${requestId}/response`,
      agent: this.agent, headers: {
        'Lambda-Runtime-Function-Response-Mode': 'streaming',
        'Content-Type': 'application/octet-stream',
        'Transfer-Encoding': 'chunked',
        Trailer: 'Lambda-Runtime-Function-Error-Type, Lambda-Runtime-Function-Error-Body',
      } }, (res) => {
      res.resume();
      res.on('end', () => settle(res.statusCode));
      res.on('error', () => settle(0));
    });
    req.on('error', () => settle(0));
    req.setContentType = (type) => req.setHeader('Content-Type', type);
    return { stream: req, done };
  }

  fail(requestId, error) {
    return this.postError(`/invocation/${requestId}/error`, error, { 'Pilotlight-Output-Bytes': outputCounts() });
  }

  failInit(error) {
    return this.postError('/init/error', error, {});
  }

  async postError(urlPath, error, headers) {
    const r = await this.exchange('POST', urlPath, Buffer.from(JSON.stringify(error), 'utf8'), {
      ...headers,
      'Content-Type': ERROR_CONTENT_TYPE,
      'Lambda-Runtime-Function-Error-Type': headerSafe(error.errorType),
    });
    return r.status;
  }
}

function headerSafe(value) {
  return String(value).replace(/[^\x20-\x7e]/g, '?');
}

/** Lambda's error document as AWS's Node.js runtime writes it: the stack goes in `trace`. */
function errorDocument(error) {
  try {
    if (error instanceof Error || (error && typeof error === 'object' && 'message' in error && 'name' in error)) {
      return {
        errorType: String(error.name),
        errorMessage: String(error.message),
        trace: typeof error.stack === 'string' ? error.stack.split('\n').filter(ownFrame) : [],
      };
    }
    return { errorType: typeof error, errorMessage: String(error), trace: [] };
  } catch (_) {
    return { errorType: 'handled', errorMessage: 'the error could not be read (its message, name or stack threw)', trace: [] };
  }
}

/** Frames of this runtime and of Node's module loader say nothing about the function's bug. */
function ownFrame(line) {
  return !line.includes(__filename) && !line.includes('(node:internal/') && !line.includes(' node:internal/');
}

function logError(doc) {
  const lines = [`ERROR\t${doc.errorType}: ${doc.errorMessage}`];
  for (const frame of doc.trace || []) {
    if (!frame.startsWith(`${doc.errorType}: `)) {
      lines.push(frame);
    }
  }
  process.stdout.write(lines.join('\n') + '\n');
}

/** Resolves `[dir/]file.export[.nested]` against the task root as AWS's runtime does. */
async function loadHandler(handlerString, taskRoot) {
  const slash = handlerString.lastIndexOf('/');
  const moduleRoot = handlerString.slice(0, slash + 1);
  const rest = handlerString.slice(slash + 1);
  const dot = rest.indexOf('.');
  if (dot <= 0 || dot === rest.length - 1) {
    throw new RuntimeError('Runtime.MalformedHandlerName', `Bad handler ${handlerString}`);
  }
  const moduleName = rest.slice(0, dot);
  const handlerPath = rest.slice(dot + 1);
  const file = path.resolve(taskRoot, moduleRoot, moduleName);

  let mod;
  try {
    mod = await loadModule(file, moduleName, [path.resolve(taskRoot, moduleRoot), taskRoot]);
  } catch (e) {
    if (e instanceof RuntimeError) {
      throw e;
    }
    if (e instanceof SyntaxError) {
      throw new RuntimeError('Runtime.UserCodeSyntaxError', String(e));
    }
    if (e && (e.code === 'MODULE_NOT_FOUND' || e.code === 'ERR_MODULE_NOT_FOUND')) {
      throw new RuntimeError('Runtime.ImportModuleError', String(e));
    }
    throw e; // the module's own code failed: reported with the error's own type
  }
  let fn = mod;
  for (const key of handlerPath.split('.')) {
    fn = fn == null ? undefined : fn[key];
  }
  if (fn === undefined) {
    throw new RuntimeError('Runtime.HandlerNotFound', `${moduleRoot}${moduleName}.${handlerPath} is undefined or not exported`);
  }
  if (typeof fn !== 'function') {
    throw new RuntimeError('Runtime.HandlerNotFound', `${moduleRoot}${moduleName}.${handlerPath} is not a function`);
  }
  return fn;
}

/** In AWS's order: the path as is (a file or a directory), .js, .mjs, .cjs, then a package in node_modules. */
async function loadModule(file, name, searchPaths) {
  if (fs.existsSync(file)) {
    return require(file);
  }
  if (isFile(file + '.js')) {
    try {
      return require(file + '.js');
    } catch (e) {
      // a .js file under a package.json with "type": "module" is an ES module
      if (e && e.code === 'ERR_REQUIRE_ESM') {
        return importFile(file + '.js');
      }
      throw e;
    }
  }
  if (isFile(file + '.mjs')) {
    return importFile(file + '.mjs');
  }
  if (isFile(file + '.cjs')) {
    return require(file + '.cjs');
  }
  let resolved;
  try {
    resolved = require.resolve(name, { paths: searchPaths });
  } catch (_) {
    throw new RuntimeError('Runtime.ImportModuleError', `Error: Cannot find module '${name}'`);
  }
  return require(resolved);
}

function importFile(file) {
  return import(require('url').pathToFileURL(file).href);
}

function isFile(file) {
  try {
    return fs.statSync(file).isFile();
  } catch (_) {
    return false;
  }
}

function optionalJson(text) {
  if (!text) {
    return undefined;
  }
  try {
    return JSON.parse(text);
  } catch (_) {
    return undefined;
  }
}

/**
 * What happens when the event loop empties: posting a callback's result (when
 * callbackWaitsForEmptyEventLoop) or, for a handler that neither returned a promise nor called
 * back, posting null. One slot, because with one poll loop only one invocation can be waiting.
 */
let onEmptyEventLoop = null;
process.on('beforeExit', () => {
  const run = onEmptyEventLoop;
  onEmptyEventLoop = null;
  if (run) {
    run();
  }
});

/** How `awslambda.streamifyResponse` marks a handler (the key AWS's Node.js runtime uses). */
const STREAMING = Symbol.for('aws.lambda.runtime.handler.streaming');
const HTTP_PRELUDE_TYPE = 'application/vnd.awslambda.http-integration-response';

/**
 * The `awslambda` global of AWS's Node.js runtime: `streamifyResponse(handler)` makes a handler
 * `(event, responseStream, context)` whose response is streamed as it is written, and
 * `HttpResponseStream.from(stream, {statusCode, headers, cookies})` prefixes a function URL's
 * status and headers (a JSON prelude and 8 NUL bytes) before the body.
 */
globalThis.awslambda = {
  streamifyResponse(handler) {
    handler[STREAMING] = 'response';
    return handler;
  },
  HttpResponseStream: {
    from(stream, prelude) {
      stream.setContentType(HTTP_PRELUDE_TYPE);
      stream.write(JSON.stringify(prelude || {}));
      stream.write(Buffer.alloc(8));
      return stream;
    },
  },
};

/** Runs a streaming handler: resolves with `{streamed: status}` once its stream has ended (an error in the trailers). */
function invokeStreaming(client, handler, inv) {
  return new Promise((resolve) => {
    const { stream, done } = client.openStream(inv.requestId);
    let finished = false;
    const end = (error) => {
      if (finished) {
        return;
      }
      finished = true;
      if (error !== undefined) {
        const doc = errorDocument(error);
        logError(doc);
        stream.addTrailers({
          'Lambda-Runtime-Function-Error-Type': headerSafe(doc.errorType),
          'Lambda-Runtime-Function-Error-Body': Buffer.from(JSON.stringify(doc), 'utf8').toString('base64'),
        });
      }
      if (!stream.writableEnded) {
        stream.end();
      }
      done.then((status) => resolve({ streamed: status }));
    };
    stream.on('finish', () => end());
    let event;
    try {
      event = inv.body ? JSON.parse(inv.body) : null;
    } catch (e) {
      end(new RuntimeError('Runtime.UnmarshalError', `Unable to parse the event: ${e.message}`));
      return;
    }
    const context = makeContext(inv, { succeed: () => end(), fail: (e) => end(e), done: (e) => end(e === null ? undefined : e) });
    try {
      const result = handler(event, stream, context);
      if (result && typeof result.then === 'function') {
        result.then(() => end(), (e) => end(e === undefined ? new Error('undefined') : e));
      }
    } catch (e) {
      end(e);
    }
  });
}

/** The invocation errors that escape the handler are reported against (the newest one). */
let current = null;

/** Runs one invocation; resolves with `{payload}` or `{error}` once the handler is done. */
function invoke(handler, inv, waitsAllowed) {
  return new Promise((resolve) => {
    let done = false;
    const finish = (outcome) => {
      if (!done) {
        done = true;
        onEmptyEventLoop = null;
        resolve(outcome);
      }
    };
    const succeed = (result) => {
      let payload;
      try {
        payload = JSON.stringify(result === undefined ? null : result);
      } catch (e) {
        finish({ error: errorDocument(new Error('Unable to stringify response body')) });
        return;
      }
      finish({ payload: payload === undefined ? 'null' : payload });
    };
    const fail = (error) => finish({ error: errorDocument(error) });

    let event;
    try {
      event = inv.body ? JSON.parse(inv.body) : null;
    } catch (e) {
      finish({ error: { errorType: 'Runtime.UnmarshalError', errorMessage: `Unable to parse the event: ${e.message}`, trace: [] } });
      return;
    }
    const callback = (error, result) => {
      if (error !== undefined && error !== null) {
        fail(error);
      } else if (context.callbackWaitsForEmptyEventLoop && waitsAllowed) {
        onEmptyEventLoop = () => setImmediate(() => succeed(result));
      } else {
        succeed(result);
      }
    };
    const context = makeContext(inv, {
      succeed: (result) => succeed(result),
      fail: (error) => fail(error === undefined || error === null ? 'handled' : error),
      done: (error, result) => (error !== undefined && error !== null ? fail(error) : succeed(result)),
    });
    // A handler that neither returns a promise nor calls back answers null when its work is done.
    onEmptyEventLoop = waitsAllowed ? () => succeed(null) : null;
    try {
      const result = handler(event, context, callback);
      if (result && typeof result.then === 'function') {
        result.then(succeed, fail);
      }
    } catch (e) {
      fail(e);
    }
  });
}

function makeContext(inv, legacy) {
  const env = process.env;
  const clientContext = optionalJson(inv.clientContext);
  const identity = optionalJson(inv.identity);
  let waits = true;
  return {
    awsRequestId: inv.requestId,
    invokedFunctionArn: inv.functionArn,
    functionName: env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: env.AWS_LAMBDA_FUNCTION_VERSION,
    // A string, as on AWS (it is read from the environment there too).
    memoryLimitInMB: env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    logGroupName: env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: env.AWS_LAMBDA_LOG_STREAM_NAME,
    clientContext,
    identity: identity && { cognitoIdentityId: identity.cognitoIdentityId, cognitoIdentityPoolId: identity.cognitoIdentityPoolId },
    getRemainingTimeInMillis: () => Math.max(inv.deadlineMs - Date.now(), 0),
    get callbackWaitsForEmptyEventLoop() {
      return waits;
    },
    set callbackWaitsForEmptyEventLoop(value) {
      waits = Boolean(value);
    },
    succeed: legacy.succeed,
    fail: legacy.fail,
    done: legacy.done,
  };
}

async function serve(client, handler, waitsAllowed) {
  for (;;) {
    const inv = await client.next();
    current = { client, requestId: inv.requestId };
    if (inv.traceId) {
      process.env._X_AMZN_TRACE_ID = inv.traceId;
    }
    const outcome = handler[STREAMING] ? await invokeStreaming(client, handler, inv) : await invoke(handler, inv, waitsAllowed);
    let status;
    if (outcome.streamed !== undefined) {
      status = outcome.streamed;
    } else if (outcome.error) {
      logError(outcome.error);
      status = await client.fail(inv.requestId, outcome.error);
    } else {
      status = await client.respond(inv.requestId, outcome.payload);
    }
    if (status !== 202) {
      // e.g. 413 for a response over the payload limit: the API has failed the invocation itself
      process.stderr.write(`pilotlight-node-runtime: the Runtime API answered ${status} to the `
        + `${outcome.error ? 'error' : 'response'} of request ${inv.requestId}\n`);
    }
  }
}

/** An error no handler caught is the current invocation's (or init's) failure, then the end of the instance. */
function reportEscaped(error, exitCode) {
  const doc = errorDocument(error);
  logError(doc);
  const posting = current
    ? current.client.fail(current.requestId, doc)
    : initClient.failInit(doc);
  posting.catch(() => {}).finally(() => process.exit(exitCode));
}

let initClient = null;

async function main() {
  const address = process.env.AWS_LAMBDA_RUNTIME_API;
  const handlerString = process.env._HANDLER;
  if (!address || !handlerString) {
    process.stderr.write('pilotlight-node-runtime: AWS_LAMBDA_RUNTIME_API and _HANDLER must be set\n');
    process.exit(1);
  }
  const concurrency = Math.max(1, Number.parseInt(process.env.PILOTLIGHT_CONCURRENCY || '1', 10) || 1);
  try {
    initClient = new RuntimeApiClient(address, concurrency);
  } catch (e) {
    process.stderr.write(`pilotlight-node-runtime: ${e.message}\n`);
    process.exit(1);
  }
  process.on('uncaughtException', (e) => reportEscaped(e, 129));
  process.on('unhandledRejection', (reason) =>
    reportEscaped(new RuntimeError('Runtime.UnhandledPromiseRejection', String(reason)), 128));

  let handler;
  try {
    handler = await loadHandler(handlerString, process.env.LAMBDA_TASK_ROOT || process.cwd());
  } catch (e) {
    const doc = errorDocument(e);
    logError(doc);
    await initClient.failInit(doc).catch((lost) => process.stderr.write(`pilotlight-node-runtime: Runtime API lost: ${lost.message}\n`));
    process.exit(1);
  }
  const loops = [];
  for (let i = 0; i < concurrency; i++) {
    loops.push(serve(initClient, handler, concurrency === 1));
  }
  try {
    await Promise.race(loops);
  } catch (e) {
    process.stderr.write(`pilotlight-node-runtime: Runtime API lost: ${e.message}\n`);
  }
  process.exit(2);
}

/**
 * Runs what every cold start runs before the function's code, so a standby has paid for it: one
 * next → response exchange through RuntimeApiClient against a loopback server standing in for the
 * Runtime API (loads and compiles the HTTP client's paths), JSON both ways. Leaves nothing behind
 * on the event loop. Best effort.
 */
async function warmUp() {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      if (req.method === 'GET') {
        res.writeHead(200, { 'Content-Type': 'application/json', 'Lambda-Runtime-Aws-Request-Id': 'warm-up',
          'Lambda-Runtime-Deadline-Ms': '0' });
        res.end('{"version":"2.0","rawPath":"/","queryStringParameters":{"name":"pool"},"isBase64Encoded":false}');
      } else {
        res.writeHead(202);
        res.end();
      }
    });
  });
  try {
    await new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', resolve);
    });
    const client = new RuntimeApiClient(`127.0.0.1:${server.address().port}`, 1);
    const inv = await client.next();
    await client.respond(inv.requestId, JSON.stringify(JSON.parse(inv.body)));
    client.agent.destroy();
  } catch (_) {
    // warming is best effort
  } finally {
    server.closeAllConnections?.();
    await new Promise((resolve) => server.close(() => resolve()));
  }
}

/** One line from stdin, read synchronously: nothing else runs while a standby waits. Empty at end of input. */
function readLineSync() {
  const chunks = [];
  const buf = Buffer.alloc(65536);
  for (;;) {
    let n;
    try {
      n = fs.readSync(0, buf, 0, buf.length, null);
    } catch (e) {
      if (e.code === 'EAGAIN') { // stdin is non-blocking: wait a little without spinning
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
        continue;
      }
      if (e.code === 'EOF') {
        n = 0;
      } else {
        throw e;
      }
    }
    if (n === 0) {
      return Buffer.concat(chunks).toString('utf8');
    }
    const chunk = Buffer.from(buf.subarray(0, n));
    const newline = chunk.indexOf(10);
    if (newline >= 0) {
      chunks.push(chunk.subarray(0, newline));
      return Buffer.concat(chunks).toString('utf8');
    }
    chunks.push(chunk);
  }
}

/** The standby: warm up, announce readiness, then become the function's instance (see the file comment). */
async function awaitFunction() {
  await warmUp();
  process.stdout.write(READY_LINE + '\n'); // synchronous on a pipe
  written.stdout = 0; // the pool read up to here; the instance's log reads from here
  const line = readLineSync();
  if (!line.trim()) {
    process.exit(1); // the platform went away before handing over a function
  }
  const env = JSON.parse(line);
  // Exactly the plain launch's environment; process.env writes through to the process's own
  // (setenv/unsetenv, TZ included), so child processes see it too. PILOTLIGHT_POOL goes with the rest.
  for (const key of Object.keys(process.env)) {
    delete process.env[key];
  }
  for (const [key, value] of Object.entries(env)) {
    process.env[key] = String(value);
  }
  // A plain launch runs in the code directory; module resolution does not depend on it (the
  // handler is loaded by absolute path from LAMBDA_TASK_ROOT).
  if (process.env.LAMBDA_TASK_ROOT) {
    process.chdir(process.env.LAMBDA_TASK_ROOT);
  }
}

if (process.env.PILOTLIGHT_POOL === '1') {
  awaitFunction().then(main, (e) => {
    process.stderr.write(`pilotlight-node-runtime: standby failed: ${e && e.message}\n`);
    process.exit(1);
  });
} else {
  main();
}
