/**
 * Failure predictions as the vehicle page explains them: probability of failure within 30 days,
 * days to failure with its 80 % interval, recommended action, confidence, and the features that
 * drove it (src/fleetyard/predictions/schemas.py).
 */
import { queryOptions } from "@tanstack/react-query";

import { api, unwrap, type Schemas } from "@/lib/api";

export type PredictionDriver = Schemas["PredictionDriver"];
export type Prediction = Schemas["Prediction"];
export type VehiclePredictions = Schemas["VehiclePredictions"];

export function vehiclePredictionsQueryOptions(vehicleId: string) {
  return queryOptions({
    queryKey: ["predictions", "vehicle", vehicleId],
    queryFn: ({ signal }) =>
      unwrap(api.GET("/api/v1/vehicles/{vehicle_id}/predictions", { params: { path: { vehicle_id: vehicleId } }, signal })),
  });
}

function valueWords(value: number | string, unit: string): string {
  const text = typeof value === "number" ? String(Number(value.toFixed(2))) : value;
  return unit ? `${text} ${unit}` : text;
}

/** One driver in a sentence: "Cranking voltage trend over 30 days: -0.03 V/day, raises the risk". */
export function driverSentence(driver: PredictionDriver): string {
  const name = driver.label || driver.feature.replaceAll("_", " ");
  return `${name[0]!.toUpperCase()}${name.slice(1)}: ${valueWords(driver.value, driver.unit)}, ${driver.effect} the risk`;
}

export function riskLevel(probability: number): "high" | "medium" | "low" {
  if (probability >= 0.3) return "high";
  if (probability >= 0.1) return "medium";
  return "low";
}

export function percent(value: number): string {
  return `${Math.round(value * 100)} %`;
}

/** "in about 45 days (between 20 and 90)", or beyond the horizon. */
export function daysWords(p: Pick<Prediction, "days_to_failure" | "days_to_failure_low" | "days_to_failure_high">): string {
  const low = p.days_to_failure_low;
  const high = p.days_to_failure_high;
  if (p.days_to_failure === null)
    return low !== null ? `not within a year (10 % chance before ${low} days)` : "not expected within a year";
  const range = low !== null && high !== null ? ` (80 % between ${low} and ${high} days)` : low !== null ? ` (10 % chance before ${low} days)` : "";
  return `in about ${p.days_to_failure} days${range}`;
}

/** Most at risk first. */
export function byRisk(a: Prediction, b: Prediction): number {
  return b.probability_30d - a.probability_30d;
}

/** The fleet's predictions at medium risk or above, highest first (as of the last refresh). */
export function fleetRiskQueryOptions(limit = 5) {
  return queryOptions({
    queryKey: ["predictions", "fleet", limit],
    queryFn: ({ signal }) =>
      unwrap(api.GET("/api/v1/predictions", { params: { query: { min_probability: 0.1, limit } }, signal })),
  });
}
