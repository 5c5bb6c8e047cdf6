exports.fail = async () => {
  throw new TypeError('boom from node');
};
