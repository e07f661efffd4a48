export { driverMutations } from "./mutations";
