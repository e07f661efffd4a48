import { parseHex, readableOn, readableOnWhite } from "@/lib/color";

export type BrandVariables = Record<"--brand" | "--brand-ink" | "--brand-text", string>;

/**
 * The tenant's colour as CSS variables: `--brand` (backgrounds), `--brand-ink` (text on it,
 * white or near-black, whichever contrasts more) and `--brand-text` (the colour on white
 * pages, only when it is readable there; otherwise the default accent). `null`: no brand.
 */
export function brandVariables(primaryColor: string | null | undefined): BrandVariables | null {
  const rgb = parseHex(primaryColor);
  if (!rgb || !primaryColor) return null;
  return {
    "--brand": primaryColor,
    "--brand-ink": readableOn(rgb),
    "--brand-text": readableOnWhite(rgb) ? primaryColor : "var(--accent-default)",
  };
}
