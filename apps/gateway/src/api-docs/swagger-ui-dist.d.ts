// swagger-ui-dist ships no types; this is the one function the gateway uses (the folder of its files).
declare module 'swagger-ui-dist/absolute-path.js' {
  function getAbsoluteFSPath(): string;
  export = getAbsoluteFSPath;
}
