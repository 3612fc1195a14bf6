// Lint for the page's modules (service/tailgate/static) and for these tests. The page is
// plain ES modules run by the browser as written, so the rules catch what no build step
// would: undefined names, unused code, and habits the page's design rules out.
import js from "@eslint/js";
import globals from "globals";

export default [
  {
    // ESLint looks only under the folder of this file; the page lives two levels up.
    basePath: "../..",
  },
  {
    files: ["service/tailgate/static/**/*.js", "tests/ui/**/*.js"],
    ...js.configs.recommended,
  },
  {
    files: ["service/tailgate/static/**/*.js"],
    languageOptions: {
      ecmaVersion: 2023,
      sourceType: "module",
      globals: globals.browser,
    },
    rules: {
      eqeqeq: ["error", "always", { null: "ignore" }],
      "no-var": "error",
      "prefer-const": "error",
      "no-implicit-globals": "error",
      "no-eval": "error",
      "no-implied-eval": "error",
      "no-new-func": "error",
      "no-unused-vars": ["error", { caughtErrors: "none" }],
      // Log text must never become markup (docs/ui.md): every line goes in as text.
      "no-restricted-properties": [
        "error",
        { property: "innerHTML", message: "Put log text in text nodes, never markup." },
        { property: "outerHTML", message: "Put log text in text nodes, never markup." },
        { property: "insertAdjacentHTML", message: "Put log text in text nodes, never markup." },
        { object: "document", property: "write", message: "The page's CSP forbids it." },
      ],
    },
  },
  {
    files: ["tests/ui/**/*.js"],
    languageOptions: {
      ecmaVersion: 2023,
      sourceType: "module",
      globals: globals.node,
    },
  },
];
