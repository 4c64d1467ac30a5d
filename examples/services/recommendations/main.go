// Command recommendations suggests products to a shopper, leaving out the
// ones the inventory service reports as sold out.
package main

import (
	"context"
	"encoding/json"
	"hash/fnv"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"go.opentelemetry.io/contrib/instrumentation/google.golang.org/grpc/otelgrpc"
	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"example.com/shop/internal/inventorypb"
	"example.com/shop/internal/platform"
	"example.com/shop/internal/telemetry"
)

const serviceName = "recommendations"

var tracer = otel.Tracer("example.com/shop/services/recommendations")

var catalogue = []string{"SKU-1001", "SKU-1002", "SKU-1003", "SKU-2001", "SKU-2002"}

type server struct {
	logger    *slog.Logger
	inventory *inventorypb.Client
	strategy  string
}

type response struct {
	UserID   string   `json:"user_id"`
	Strategy string   `json:"strategy"`
	Items    []string `json:"items"`
}

func (s *server) recommendations(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	userID := r.URL.Query().Get("user_id")

	candidates := s.rank(ctx, userID)
	items := make([]string, 0, len(candidates))
	for _, sku := range candidates {
		qty, err := s.inventory.CheckStock(ctx, sku)
		if err != nil {
			s.logger.WarnContext(ctx, "stock lookup failed", "sku", sku, "err", err)
			continue
		}
		if qty > 0 {
			items = append(items, sku)
		}
	}

	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(response{UserID: userID, Strategy: s.strategy, Items: items})
}

// rank orders the catalogue for a user. "popular" returns it as is;
// "personalized" rotates it by a hash of the user id.
func (s *server) rank(ctx context.Context, userID string) []string {
	_, span := tracer.Start(ctx, "recommendations.rank", trace.WithAttributes(
		attribute.String("shop.strategy", s.strategy),
	))
	defer span.End()

	ranked := make([]string, len(catalogue))
	copy(ranked, catalogue)
	if s.strategy == "personalized" && userID != "" {
		h := fnv.New32a()
		_, _ = h.Write([]byte(userID))
		shift := int(h.Sum32() % uint32(len(ranked)))
		ranked = append(ranked[shift:], ranked[:shift]...)
	}
	span.SetAttributes(attribute.Int("shop.candidates", len(ranked)))
	return ranked
}

func main() {
	logger := platform.Logger(serviceName)
	if err := run(logger); err != nil {
		logger.Error("recommendations stopped", "err", err)
		os.Exit(1)
	}
}

func run(logger *slog.Logger) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	shutdown, err := telemetry.Setup(ctx, serviceName)
	if err != nil {
		return err
	}
	defer platform.Flush(ctx, logger, shutdown)

	inventoryAddr := platform.Env("INVENTORY_ADDR", "127.0.0.1:9090")
	conn, err := grpc.NewClient(inventoryAddr,
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithStatsHandler(otelgrpc.NewClientHandler()),
	)
	if err != nil {
		return err
	}
	defer conn.Close()

	s := &server{
		logger:    logger,
		inventory: inventorypb.NewClient(conn),
		strategy:  platform.Env("RECOMMENDATION_STRATEGY", "popular"),
	}

	mux := http.NewServeMux()
	mux.HandleFunc("/recommendations", s.recommendations)
	mux.HandleFunc("/healthz", platform.Healthz)

	srv := &http.Server{
		Addr:              ":" + platform.Env("PORT", "8082"),
		Handler:           otelhttp.NewHandler(mux, serviceName),
		ReadHeaderTimeout: 5 * time.Second,
	}
	logger.Info("listening", "addr", srv.Addr, "strategy", s.strategy, "inventory", inventoryAddr)
	return platform.Serve(ctx, srv)
}
