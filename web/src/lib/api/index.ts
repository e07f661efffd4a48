export { api, createApiClient, unwrap, type Schemas } from "./client";
export { rememberCsrfToken } from "./csrf";
export { ApiError, errorMessage, isApiError } from "./errors";
