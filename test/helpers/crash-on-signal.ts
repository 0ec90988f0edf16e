// Preloaded (--import) into a server process by the log delivery test: SIGUSR2 makes it crash with
// an uncaught exception, as a bug would.
process.on('SIGUSR2', () => {
  throw new Error('crash requested by the test');
});
