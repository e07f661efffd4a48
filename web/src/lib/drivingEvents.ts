/** A driving event's kind in words ("Harsh braking"), wherever events are listed. */
const KIND_LABELS: Record<string, string> = {
  harsh_acceleration: "Harsh acceleration",
  harsh_braking: "Harsh braking",
  harsh_cornering: "Harsh cornering",
  speeding: "Speeding",
  idling: "Idling",
  night_driving: "Night driving",
};

export function drivingEventLabel(kind: string): string {
  return KIND_LABELS[kind] ?? kind.replace(/_/g, " ");
}
