exports.word = 'from the package';
