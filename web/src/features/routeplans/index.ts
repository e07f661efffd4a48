export type { DrawnRoute, PlanMap, PlanMapProps } from "./components/PlanMapTypes";
