/** WCAG relative luminance and contrast, for tenant colours picked by anyone. */

const HEX = /^#([0-9a-f]{6})$/i;

export function parseHex(color: string | null | undefined): [number, number, number] | null {
  const match = color ? HEX.exec(color.trim()) : null;
  if (!match?.[1]) return null;
  const value = Number.parseInt(match[1], 16);
  return [(value >> 16) & 255, (value >> 8) & 255, value & 255];
}

function channel(value: number): number {
  const c = value / 255;
  return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
}

export function luminance([r, g, b]: [number, number, number]): number {
  return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
}

export function contrast(a: [number, number, number], b: [number, number, number]): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

const WHITE: [number, number, number] = [255, 255, 255];
const INK: [number, number, number] = [17, 24, 39];

/** Text colour that reads best on `background`: white or near-black. */
export function readableOn(background: [number, number, number]): string {
  return contrast(background, WHITE) >= contrast(background, INK) ? "#ffffff" : "#111827";
}

/** Whether `color` can carry text on white (WCAG AA for normal text). */
export function readableOnWhite(color: [number, number, number]): boolean {
  return contrast(color, WHITE) >= 4.5;
}
