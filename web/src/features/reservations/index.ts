export { reservationMutations } from "./api";
