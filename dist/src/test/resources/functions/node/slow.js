exports.handler = async (event, context) => {
  await new Promise((resolve) => setTimeout(resolve, event.ms || 0));
  return { slept: event.ms || 0, request: context.awsRequestId };
};
