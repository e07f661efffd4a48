// Light on purpose: TypeScript (strict) catches most; ESLint adds hooks rules, accessibility
// checks, and the feature boundaries of STYLE rule 14 (bulletproof-react).
import { readdirSync } from "node:fs";

import js from "@eslint/js";
import jsxA11y from "eslint-plugin-jsx-a11y";
import reactHooks from "eslint-plugin-react-hooks";
import tseslint from "typescript-eslint";

const features = readdirSync(new URL("./src/features", import.meta.url), { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name);

/** A feature never imports another feature; composition happens in src/app. */
const featureBoundaries = features.map((feature) => ({
  files: [`src/features/${feature}/**/*.{ts,tsx}`],
  rules: {
    "no-restricted-imports": [
      "error",
      {
        patterns: [
          {
            group: features.filter((f) => f !== feature).flatMap((f) => [
              `@/features/${f}`,
              `@/features/${f}/**`,
              `**/features/${f}`,
              `**/features/${f}/**`,
              `../../${f}`,
              `../../${f}/**`,
              `../${f}`,
              `../${f}/**`,
            ]),
            message: "Features don't import each other; compose them in src/app.",
          },
        ],
      },
    ],
  },
}));

export default tseslint.config(
  { ignores: ["dist", "node_modules", "src/lib/api/schema.d.ts"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  jsxA11y.flatConfigs.recommended,
  {
    files: ["src/**/*.{ts,tsx}"],
    plugins: { "react-hooks": reactHooks },
    rules: {
      "react-hooks/rules-of-hooks": "error",
      "react-hooks/exhaustive-deps": "error",
      // A scrollable region must be reachable by keyboard (axe: scrollable-region-focusable).
      "jsx-a11y/no-noninteractive-tabindex": ["error", { roles: ["tabpanel", "region"] }],
      "@typescript-eslint/consistent-type-imports": "error",
    },
  },
  {
    // Shared code knows nothing of features or the app.
    files: ["src/lib/**/*.{ts,tsx}", "src/components/**/*.{ts,tsx}"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["@/features/**", "@/app/**", "**/features/**", "**/app/**"],
              message: "Shared code must not depend on features or the app.",
            },
          ],
        },
      ],
    },
  },
  ...featureBoundaries,
  {
    // Node scripts, and browser tests whose callbacks run in the page: no-undef can't tell.
    files: ["scripts/**/*.mjs", "e2e/**/*.mjs", "*.config.{js,ts}"],
    rules: { "no-undef": "off" },
  },
);
