// Callback-style handlers, as written before async/await. The result is serialised when it is
// posted, so a timer that changes it shows whether the post waited for the event loop to empty.
function answer(event, context, callback) {
  const result = { greeting: `Hello, ${event.name}`, timerRan: false };
  setTimeout(() => { result.timerRan = true; }, 50);
  callback(null, result);
}

// callbackWaitsForEmptyEventLoop defaults to true: the answer is posted after the timer.
exports.waits = answer;

exports.noWait = (event, context, callback) => {
  context.callbackWaitsForEmptyEventLoop = false;
  answer(event, context, callback);
};

exports.failing = (event, context, callback) => callback(new Error('callback error from node'));
