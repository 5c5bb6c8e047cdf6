throw new Error('init failed on purpose in node');
