// Eleventy reads the one YAML data file (_data/facts.yaml) with js-yaml; only Nunjucks templates are built.
const yaml = require("js-yaml");

module.exports = function (eleventyConfig) {
  eleventyConfig.addDataExtension("yaml", (contents) => yaml.load(contents));
  return { templateFormats: ["njk"], dir: { input: ".", output: "_site" } };
};
