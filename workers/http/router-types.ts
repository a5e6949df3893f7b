/**
 * The types the router shares with the route modules and the handler wrappers. They live apart
 * from router.ts, which imports every route module, so that no route module imports it back.
 */
import type { IRequest, Router } from "itty-router";
import type { AppContext } from "../context";

export type ApiRequest = IRequest;

/** What a route module registers its routes on. */
export type RouterType = ReturnType<typeof Router<ApiRequest, [AppContext]>>;

/** A route handler: every handler receives the request and the request's context. */
export type Handler = (request: ApiRequest, ctx: AppContext) => Promise<Response>;
