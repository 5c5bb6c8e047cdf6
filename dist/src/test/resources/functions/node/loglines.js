// Five lines naming event.n: console.log, console.error, console.info and a last write without a newline on each stream.
exports.handler = async (event) => {
  const n = event.n;
  console.log(`n1 ${n}`);
  console.error(`n2 ${n}`);
  console.info(`n3 ${n}`);
  process.stdout.write(`n4 ${n}`);
  process.stderr.write(`n5 ${n}`);
  return { n };
};
