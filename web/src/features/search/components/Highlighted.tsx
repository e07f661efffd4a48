import { highlightSegments, type MatchedField } from "@/lib/search";

/** A value with what matched marked (offsets from the server; no HTML from it). */
export function Highlighted({ value, highlights }: { value: string; highlights: MatchedField["highlights"] }) {
  return (
    <>
      {highlightSegments(value, highlights).map(([text, marked], index) =>
        marked ? <mark key={index}>{text}</mark> : <span key={index}>{text}</span>,
      )}
    </>
  );
}

const FIELD_NAMES: Record<string, string> = {
  vin: "VIN",
  imei: "IMEI",
  licence_number: "Licence",
  fuel_type: "Fuel",
};

export function fieldName(field: string): string {
  return FIELD_NAMES[field] ?? field.charAt(0).toUpperCase() + field.slice(1).replace(/_/g, " ");
}

/** The title marked where it matched; the other matched fields after it ("Model: Transit"). */
export function titleAndMatches(title: string, matches: readonly MatchedField[] | undefined, most = 2) {
  const inTitle = matches?.find((m) => m.value === title);
  const others = (matches ?? []).filter((m) => m !== inTitle && m.highlights.length > 0).slice(0, most);
  return { inTitle, others };
}
