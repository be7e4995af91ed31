// Middy 7 publishes only an "import" export condition; Jest resolves with "require". Its files are ESM,
// which the swc transform turns into CommonJS (see transformIgnorePatterns in jest.config.ts).
const IMPORT_ONLY = /^@middy\//;

module.exports = (request, options) =>
  options.defaultResolver(
    request,
    IMPORT_ONLY.test(request) ? { ...options, conditions: ['import', 'default', 'node'] } : options,
  );
