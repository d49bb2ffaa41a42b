/// <reference path="./.sst/platform/config.d.ts" />
export default $config({
  app(input) {
    return { name: "secretwatch", home: "aws", removal: "remove" };
  },
  async run() {
    return {};
  },
});
