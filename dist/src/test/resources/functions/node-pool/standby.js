// Reports what a function can observe of how its process was started (LaunchLadderIT).
const { execSync } = require('child_process');
const shipped = require('./lib/shipped');

exports.handler = async (event, context) => ({
  greeting: process.env.GREETING,
  pool: process.env.PILOTLIGHT_POOL ?? null,
  child: execSync('printf %s "$GREETING"').toString(),
  cwd: process.cwd(),
  taskRoot: process.env.LAMBDA_TASK_ROOT,
  shipped: shipped.word,
  shippedFile: require.resolve('./lib/shipped'),
  relative: require('fs').readFileSync('data.txt', 'utf8'),
  memory: context.memoryLimitInMB,
});
