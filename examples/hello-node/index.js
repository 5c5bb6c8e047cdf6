'use strict';
/**
 * Greets by name, like examples/hello-java. Through a function URL the event is an API Gateway
 * HTTP API v2 event (it has `requestContext`) and the answer an HTTP response; invoked directly
 * with `{"name": "Ann"}` it answers `{"message": "Hello, Ann"}`. Runs unchanged on AWS Lambda
 * (nodejs20.x).
 */
exports.handler = async (event) => {
  const e = event && typeof event === 'object' ? event : {};
  if ('requestContext' in e || 'rawPath' in e) {
    const query = e.queryStringParameters || {};
    return {
      statusCode: 200,
      headers: { 'content-type': 'text/plain' },
      body: `Hello, ${nameOrWorld(query.name)}`,
    };
  }
  return { message: `Hello, ${nameOrWorld(e.name)}` };
};

function nameOrWorld(value) {
  return typeof value === 'string' && value.trim() !== '' ? value : 'world';
}
