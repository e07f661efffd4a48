import { contrast, parseHex, readableOn, readableOnWhite } from "@/lib/color";

const WHITE: [number, number, number] = [255, 255, 255];
export const AA = 4.5;

export interface BrandingCheck {
  /** The colour's contrast on white (links, text on white pages). */
  onWhite: number;
  /** Text on the colour (the header): white or near-black, whichever reads better. */
  ink: string;
  inkContrast: number;
  warnings: string[];
}

const ratio = (value: number) => `${value.toFixed(1)}:1`;

/** What the colour does to legibility, in words a person picking it can act on. */
export function checkBranding(color: string): BrandingCheck | null {
  const rgb = parseHex(color);
  if (!rgb) return null;
  const ink = readableOn(rgb);
  const inkContrast = contrast(rgb, parseHex(ink) ?? WHITE);
  const onWhite = contrast(rgb, WHITE);
  const warnings: string[] = [];
  if (inkContrast < AA) {
    warnings.push(
      `Text on this colour reaches only ${ratio(inkContrast)} contrast (${AA}:1 is needed): ` +
        "the header's name and links will be hard to read. Pick a darker or lighter shade.",
    );
  }
  if (!readableOnWhite(rgb)) {
    warnings.push(
      `On white this colour has ${ratio(onWhite)} contrast (${AA}:1 is needed), so links and ` +
        "buttons keep the default blue; only the header and buttons wear it.",
    );
  }
  return { onWhite, ink, inkContrast, warnings };
}
