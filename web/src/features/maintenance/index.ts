export { VehicleMaintenanceSections } from "./components/VehicleMaintenanceSections";
