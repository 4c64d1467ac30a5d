import express, { type NextFunction, type Request, type Response } from "express";
import { SpanStatusCode, trace } from "@opentelemetry/api";

import { shutdownTracing } from "./tracing.js";

const PORT = Number(process.env.PORT ?? 3000);
const FRONTEND_URL = process.env.FRONTEND_URL ?? "http://127.0.0.1:8080";
const UPSTREAM_TIMEOUT_MS = 5_000;

const tracer = trace.getTracer("web-bff");

interface CartItem {
  sku: string;
  quantity: number;
}

interface Order {
  id: string;
  user_id: string;
  items: CartItem[];
  reservations: string[];
  placed_at: string;
}

interface Recommendations {
  user_id: string;
  strategy: string;
  items: string[];
}

class UpstreamError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Headers that Istio routes on and that must follow the request downstream. */
function routingHeaders(req: Request): Record<string, string> {
  const endUser = req.get("end-user");
  return endUser ? { "end-user": endUser } : {};
}

async function fetchRecommendations(userId: string, headers: Record<string, string>): Promise<string[]> {
  return tracer.startActiveSpan("bff.fetchRecommendations", async (span) => {
    try {
      const res = await fetch(`${FRONTEND_URL}/recommendations?user_id=${encodeURIComponent(userId)}`, {
        headers,
        signal: AbortSignal.timeout(UPSTREAM_TIMEOUT_MS),
      });
      if (!res.ok) {
        throw new UpstreamError(res.status, `recommendations returned ${res.status}`);
      }
      const body = (await res.json()) as Recommendations;
      span.setAttribute("shop.recommendations", body.items.length);
      return body.items;
    } catch (err) {
      span.recordException(err as Error);
      span.setStatus({ code: SpanStatusCode.ERROR });
      return [];
    } finally {
      span.end();
    }
  });
}

async function placeOrder(userId: string, items: CartItem[], headers: Record<string, string>): Promise<Order> {
  const span = tracer.startSpan("bff.placeOrder", {
    attributes: { "shop.user_id": userId, "shop.items": items.length },
  });
  const res = await fetch(`${FRONTEND_URL}/checkout`, {
    method: "POST",
    headers: { ...headers, "content-type": "application/json" },
    body: JSON.stringify({ user_id: userId, items }),
    signal: AbortSignal.timeout(UPSTREAM_TIMEOUT_MS),
  });
  if (!res.ok) {
    span.setStatus({ code: SpanStatusCode.ERROR, message: `checkout returned ${res.status}` });
    throw new UpstreamError(res.status, (await res.text()).trim());
  }
  const order = (await res.json()) as Order;
  span.setAttribute("shop.order_id", order.id);
  return order;
}

function isCart(value: unknown): value is CartItem[] {
  return (
    Array.isArray(value) &&
    value.length > 0 &&
    value.every(
      (i) => typeof i?.sku === "string" && Number.isInteger(i?.quantity) && (i.quantity as number) > 0,
    )
  );
}

const app = express();
app.disable("x-powered-by");
app.use(express.json({ limit: "100kb" }));

app.get("/healthz", (_req: Request, res: Response) => {
  res.type("text/plain").send("ok\n");
});

app.get("/api/home", async (req: Request, res: Response) => {
  const userId = typeof req.query.user_id === "string" ? req.query.user_id : "";
  const recommendations = await fetchRecommendations(userId, routingHeaders(req));
  res.json({ user_id: userId, recommendations });
});

app.post("/api/checkout", async (req: Request, res: Response) => {
  const { user_id: userId, items } = (req.body ?? {}) as { user_id?: unknown; items?: unknown };
  if (typeof userId !== "string" || userId === "" || !isCart(items)) {
    res.status(400).json({ error: "user_id and a non-empty items list are required" });
    return;
  }
  const order = await placeOrder(userId, items, routingHeaders(req));
  res.status(201).json(order);
});

app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
  if (err instanceof UpstreamError) {
    res.status(err.status >= 500 ? 502 : err.status).json({ error: err.message });
    return;
  }
  console.error("web-bff: unhandled error", err);
  res.status(500).json({ error: "internal error" });
});

const server = app.listen(PORT, () => {
  console.log(`web-bff listening on :${PORT}, frontend at ${FRONTEND_URL}`);
});

function shutdown(signal: NodeJS.Signals): void {
  console.log(`web-bff: ${signal} received, shutting down`);
  server.close(() => {
    void shutdownTracing().finally(() => process.exit(0));
  });
}

process.once("SIGTERM", shutdown);
process.once("SIGINT", shutdown);
